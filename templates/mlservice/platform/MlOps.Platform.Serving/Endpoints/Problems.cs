using Microsoft.AspNetCore.Http.HttpResults;

namespace MlOps.Platform.Serving.Endpoints;

/// <summary>RFC 9457 problem documents for the API's errors, all in one shape.</summary>
public static class Problems
{
    /// <summary>Most fields a 400 names; the rest are counted, so the answer stays small whatever the request holds.</summary>
    public const int MaxErrors = 20;

    /// <summary>A 400 problem document for one invalid <paramref name="field"/>.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>A 400 problem document listing the first <see cref="MaxErrors"/> invalid fields, each name and message cut to a bounded length, and counting the rest.</summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        // Field names and messages can repeat what the client sent: both are cut, and only the first errors are listed.
        var shown = errors.Take(MaxErrors).ToDictionary(
            e => RoutingProblems.Cut(e.Key), e => e.Value.Select(RoutingProblems.Cut).ToArray(), StringComparer.Ordinal);
        var more = errors.Count - shown.Count;
        return TypedResults.ValidationProblem(
            shown,
            title: "The request is not valid.",
            detail: more > 0
                ? $"{errors.Count} field(s) failed validation; the first {shown.Count} are in 'errors'."
                : $"{errors.Count} field(s) failed validation; see 'errors'.");
    }

    /// <summary>A problem document with the given <paramref name="status"/> code and <paramref name="detail"/>.</summary>
    public static ProblemHttpResult Status(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status);
}
