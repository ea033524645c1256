namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>What to start: program, arguments, folder and environment changes (null value = remove).</summary>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?>? Environment = null)
{
    public string CommandLine => string.Join(' ', new[] { FileName }.Concat(Arguments.Select(Quote)));

    private static string Quote(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '{' or '}')
            ? argument
            : $"'{argument.Replace("'", "'\\''")}'";
}
