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

            switch (options.Command)
            {
                case TrainingCommand.Validate:
                    TrainingRun.Validate(options, Console.Out);
                    break;
                case TrainingCommand.Evaluate:
                    TrainingRun.Evaluate(options, Console.Out);
                    break;
                default:
                    TrainingRun.Execute(options, Console.Out);
                    break;
            }

            return 0;
        }
        catch (TrainingException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
    }
}
