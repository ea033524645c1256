namespace Ml_Service.Training;

/// <summary>The command line of the training app: parses the arguments, runs the command, returns the exit code.</summary>
public static class TrainingApp
{
    /// <summary>Runs one command; 0 on success, 1 for bad input or a refused request, 2 for a failed quality gate.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var options = TrainingOptions.Parse(args);
            if (options.ShowHelp)
            {
                output.WriteLine(TrainingOptions.Usage);
                return 0;
            }

            var models = options.OutputDirectory;
            switch (options.Command)
            {
                case TrainingCommand.Validate:
                    TrainingRun.Validate(options, output);
                    break;
                case TrainingCommand.Evaluate:
                    TrainingRun.Evaluate(options, output);
                    break;
                case TrainingCommand.Runs:
                    RunLog.PrintList(models, output);
                    break;
                case TrainingCommand.Compare:
                    RunLog.PrintComparison(models, options.Arguments[0], options.Arguments[1], output);
                    break;
                case TrainingCommand.Promote:
                    ModelRegistry.Print(ModelRegistry.Promote(models, options.Arguments[0], PromotionEntry.Promote), models, output);
                    break;
                case TrainingCommand.Rollback:
                    ModelRegistry.Print(ModelRegistry.Rollback(models), models, output);
                    break;
                case TrainingCommand.ModelCard:
                    ModelCard.Update(options.ModelCardPath, models, output);
                    break;
                default:
                    TrainingRun.Execute(options, output);
                    break;
            }

            return 0;
        }
        catch (TrainingException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
    }
}
