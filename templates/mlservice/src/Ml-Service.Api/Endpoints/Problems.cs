using Microsoft.AspNetCore.Http.HttpResults;

namespace Ml_Service.Api.Endpoints;

/// <summary>RFC 9457 problem documents for the API's errors, all in one shape.</summary>
public static class Problems
{
    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(
            errors,
            title: "The request is not valid.",
            detail: $"{errors.Count} field(s) failed validation; see 'errors'.");

    public static ProblemHttpResult Status(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status);
}
