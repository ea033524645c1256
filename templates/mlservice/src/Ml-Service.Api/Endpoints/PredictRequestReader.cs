using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ml_Service.Api.Endpoints;

/// <summary>
/// Reads a predict request body and validates every instance against <see cref="FeatureSchema"/>.
/// Errors are keyed by JSON path (<c>instances[2].contract</c>) so a caller knows what to fix.
/// </summary>
public static class PredictRequestReader
{
    public const string InstancesField = "instances";

    /// <summary>Field names of <see cref="Result.RejectedFields"/> besides the features of the schema.</summary>
    public const string BodyField = "body";
    public const string InstanceField = "instance";
    public const string UnknownField = "unknown";

    /// <param name="Instances">The validated instances; null when the request was refused.</param>
    /// <param name="Invalid">The 400 response when the body broke a rule of the request schema.</param>
    /// <param name="Refused">The 413 or 415 response when the body was not read at all.</param>
    /// <param name="RejectedFields">
    /// For a 400: one entry per invalid field, named without the instance index so it suits a metric label
    /// (a feature name, <c>instances</c>, <c>instance</c>, <c>body</c>, or <c>unknown</c> for fields that are not features).
    /// </param>
    public sealed record Result(
        IReadOnlyList<ChurnFeatures>? Instances,
        ValidationProblem? Invalid,
        ProblemHttpResult? Refused,
        IReadOnlyList<string> RejectedFields);

    public static async Task<Result> ReadAsync(HttpRequest request, ServingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (!request.HasJsonContentType())
        {
            return Refuse(Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Send the request body as application/json."));
        }

        var body = await ReadLimitedAsync(request, options.MaxRequestBodyBytes, cancellationToken);
        if (body is null)
        {
            return Refuse(Problems.Status(
                StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {options.MaxRequestBodyBytes} bytes."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return Fail(Problems.Invalid(BodyField, $"is not valid JSON: {ex.Message}"), BodyField);
        }

        using (document)
        {
            return Validate(document.RootElement, options.MaxBatchSize);
        }
    }

    private static Result Validate(JsonElement root, int maxBatchSize)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(InstancesField, out var instances)
            || instances.ValueKind != JsonValueKind.Array)
        {
            return Fail(Problems.Invalid(InstancesField, "is required and must be an array of objects"), InstancesField);
        }

        // A field given twice, or one the protocol does not know, is refused rather than silently dropped.
        var topLevel = root.EnumerateObject().Select(p => p.Name).ToList();
        if (topLevel.Count(name => name == InstancesField) > 1)
        {
            return Fail(Problems.Invalid(InstancesField, "appears more than once; send it once"), InstancesField);
        }

        if (topLevel.FirstOrDefault(name => name != InstancesField) is { } extra)
        {
            return Fail(Problems.Invalid(extra, $"is not a field of a predict request; send only '{InstancesField}'"), UnknownField);
        }

        var count = instances.GetArrayLength();
        if (count == 0 || count > maxBatchSize)
        {
            return Fail(Problems.Invalid(InstancesField, $"must hold between 1 and {maxBatchSize} instances, got {count}"), InstancesField);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var rejected = new List<string>();
        var features = new List<ChurnFeatures>(count);
        var index = 0;
        foreach (var instance in instances.EnumerateArray())
        {
            var path = $"{InstancesField}[{index++}]";
            if (instance.ValueKind != JsonValueKind.Object)
            {
                errors[path] = ["must be an object"];
                rejected.Add(InstanceField);
                continue;
            }

            var fields = instance.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).ToList();
            var duplicates = fields.Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                // Which of two values was meant is unknowable: refuse instead of taking one of them.
                foreach (var duplicate in duplicates)
                {
                    errors[$"{path}.{duplicate}"] = ["appears more than once in this instance; send each field once"];
                    rejected.Add(FeatureSchema.Columns.Any(c => c.Name == duplicate) ? duplicate : UnknownField);
                }

                continue;
            }

            var fieldErrors = new List<FeatureError>();
            var record = fields.ToDictionary(g => g.Key, g => RawValue.FromJson(g.Single().Value), StringComparer.Ordinal);
            var parsed = FeatureSchema.Validate(record, fieldErrors);
            foreach (var error in fieldErrors)
            {
                errors[$"{path}.{error.Field}"] = [error.Message];
                rejected.Add(FeatureSchema.Columns.Any(c => c.Name == error.Field) ? error.Field : UnknownField);
            }

            if (parsed is not null)
            {
                features.Add(parsed);
            }
        }

        return errors.Count > 0 ? Fail(Problems.Invalid(errors), [.. rejected]) : new Result(features, null, null, []);
    }

    /// <summary>Reads the whole body, or returns null as soon as it exceeds the limit.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Result Fail(ValidationProblem invalid, params string[] rejectedFields) => new(null, invalid, null, rejectedFields);

    private static Result Refuse(ProblemHttpResult refused) => new(null, null, refused, []);
}
