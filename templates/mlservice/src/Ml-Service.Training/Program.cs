namespace Ml_Service.Training;

internal static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var options = TrainingOptions.Parse(args);
            if (options.ShowHelp)
            {
                Console.WriteLine(TrainingOptions.Usage);
                return 0;
            }

            TrainingRun.Execute(options, Console.Out);
            return 0;
        }
        catch (TrainingException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
    }
}
