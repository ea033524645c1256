namespace MlOps.Platform.Training;

/// <summary>The command line of the training app: parses the arguments, runs the command, returns the exit code.</summary>
public static class TrainingApp
{
    /// <summary>
    /// Runs one command on the models of <see cref="ModelCatalog.All"/>; 0 on success, 1 for bad input or
    /// a refused request (an export whose graph does not score as the model does), 2 for a failed quality gate.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error) =>
        Run(args, ModelCatalog.All, output, error);

    /// <summary>Runs one command on the models of <paramref name="catalog"/>.</summary>
    public static int Run(IReadOnlyList<string> args, IReadOnlyList<ModelDefinition> catalog, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (args.Count > 0 && args[0] == "import")
            {
                var import = ImportOptions.Parse([.. args.Skip(1)]);
                _ = import.CheckOnly ? ModelImport.Check(import, output) : ModelImport.Write(import, output);
                return 0;
            }

            var options = TrainingOptions.Parse(args) with
            {
                SummaryPath = Environment.GetEnvironmentVariable(RunSummary.GitHubVariable) is { Length: > 0 } summary ? summary : null,
            };
            if (options.ShowHelp)
            {
                output.WriteLine(TrainingOptions.Usage);
                return 0;
            }

            var models = options.SelectModels(catalog);
            if (options.Command == TrainingCommand.Train && (options.All || (options.ModelName is null && models.Count > 1)))
            {
                return TrainAll(options, models, output, error);
            }

            Execute(options.For(models[0]), output);
            return 0;
        }
        catch (TrainingException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
    }

    private static void Execute(TrainingOptions options, TextWriter output)
    {
        var model = options.Definition;
        var folder = options.Output;
        switch (options.Command)
        {
            case TrainingCommand.Validate:
                TrainingRun.Validate(options, output);
                break;
            case TrainingCommand.Evaluate:
                TrainingRun.Evaluate(options, output);
                break;
            case TrainingCommand.Runs:
                RunLog.PrintList(model, folder, output);
                break;
            case TrainingCommand.Compare:
                RunLog.PrintComparison(folder, options.Arguments[0], options.Arguments[1], output);
                break;
            case TrainingCommand.Promote:
                Crown(ModelRegistry.Promote(model, folder, options.Arguments[0], PromotionEntry.Promote), options, output);
                break;
            case TrainingCommand.Rollback:
                Crown(ModelRegistry.Rollback(model, folder), options, output);
                break;
            case TrainingCommand.ModelCard:
                ModelCard.Update(model, options.Card, folder, output);
                break;
            case TrainingCommand.ExportOnnx:
                ModelExportCommand.Run(options, output);
                break;
            default:
                TrainingRun.Execute(options, output);
                break;
        }
    }

    // A promotion or rollback by hand is the team's decision: the served model becomes the champion that CI compares with.
    private static void Crown(Promotion promotion, TrainingOptions options, TextWriter output)
    {
        ModelRegistry.Print(promotion, options.Output, output);
        Champion.Of(promotion.Current, promotion.Entry.At).Save(options.Champion);
        output.WriteLine($"Recorded as the champion in {options.Champion}: commit it, and CI's training compares every change of this model with it.");
    }

    /// <summary>
    /// Trains every model in name order, each to the end whatever happened to the others, then prints one
    /// summary line per model. The exit code is the worst of the runs: 0 when every model passed.
    /// </summary>
    private static int TrainAll(TrainingOptions options, IReadOnlyList<ModelDefinition> models, TextWriter output, TextWriter error)
    {
        var summary = new List<string>();
        var exitCode = 0;
        foreach (var model in models)
        {
            output.WriteLine($"== {model.Name} ({model.Task.ToText()})");
            try
            {
                var manifest = TrainingRun.Execute(options.For(model), output);
                var primary = TaskMetrics.PrimaryMetric(model.Task);
                summary.Add($"  {model.Name,-12} passed   {manifest.Version} ({manifest.Trainer}, {primary} {TaskMetrics.Format(manifest.Metrics, primary)})");
            }
            catch (TrainingException ex)
            {
                error.WriteLine($"error: model {model.Name}: {ex.Message}");
                summary.Add($"  {model.Name,-12} {(ex.ExitCode == 2 ? "refused" : "failed"),-8} {FirstLine(ex.Message)}");
                exitCode = Math.Max(exitCode, ex.ExitCode);
            }

            output.WriteLine();
        }

        output.WriteLine($"Trained {models.Count} model(s):");
        foreach (var line in summary)
        {
            output.WriteLine(line);
        }

        return exitCode;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
