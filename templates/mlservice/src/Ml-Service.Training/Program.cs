namespace Ml_Service.Training;

internal static class Program
{
    public static int Main(string[] args) => TrainingApp.Run(args, Console.Out, Console.Error);
}
