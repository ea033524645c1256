using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Ml_Service.Api.Endpoints;

/// <summary>
/// Reads a predict request body and validates every instance against <see cref="FeatureSchema"/>.
/// Errors are keyed by JSON path (<c>instances[2].contract</c>) so a caller knows what to fix.
/// The body is parsed where Kestrel buffered it, without copying it first.
/// </summary>
public static class PredictRequestReader
{
    public const string InstancesField = "instances";

    /// <summary>Field names of <see cref="Result.RejectedFields"/> besides the features of the schema.</summary>
    public const string BodyField = "body";
    public const string InstanceField = "instance";
    public const string UnknownField = "unknown";

    /// <param name="Instances">The validated instances; null when the request was refused.</param>
    /// <param name="Error">The problem response when the request was refused.</param>
    /// <param name="RejectedFields">
    /// For a 400: one entry per invalid field, named without the instance index so it suits a metric label
    /// (a feature name, <c>instances</c>, <c>instance</c>, <c>body</c>, or <c>unknown</c> for fields that are not features).
    /// </param>
    public sealed record Result(IReadOnlyList<ChurnFeatures>? Instances, IResult? Error, IReadOnlyList<string> RejectedFields);

    public static async Task<Result> ReadAsync(HttpRequest request, ServingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (!request.HasJsonContentType())
        {
            return Fail(Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Send the request body as application/json."));
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            return TooLarge(options);
        }

        // Reads until the whole body is buffered (or the limit is passed), then parses it in place.
        var reader = request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex)
            {
                // The client sent less than its Content-Length and hung up, or more than the server accepts:
                // the caller's fault (4xx), not an unhandled error of the service.
                return Fail(Problems.Status(ex.StatusCode, ex.Message));
            }

            var body = read.Buffer;
            if (body.Length > options.MaxRequestBodyBytes)
            {
                reader.AdvanceTo(body.Start, body.End);
                return TooLarge(options);
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                try
                {
                    return Parse(body, options.MaxBatchSize);
                }
                finally
                {
                    reader.AdvanceTo(body.End);
                }
            }

            reader.AdvanceTo(body.Start, body.End);
        }
    }

    private static Result Parse(ReadOnlySequence<byte> body, int maxBatchSize)
    {
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
            return Validate(document.RootElement, maxBatchSize);
        }
    }

    private static Result TooLarge(ServingOptions options) =>
        Fail(Problems.Status(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {options.MaxRequestBodyBytes} bytes."));

    private static Result Validate(JsonElement root, int maxBatchSize)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(InstancesField, out var instances)
            || instances.ValueKind != JsonValueKind.Array)
        {
            return Fail(Problems.Invalid(InstancesField, "is required and must be an array of objects"), InstancesField);
        }

        var count = instances.GetArrayLength();
        if (count == 0 || count > maxBatchSize)
        {
            return Fail(Problems.Invalid(InstancesField, $"must hold between 1 and {maxBatchSize} instances, got {count}"), InstancesField);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var rejected = new List<string>();
        var features = new List<ChurnFeatures>(count);
        var fieldErrors = new List<FeatureError>();
        var index = -1;
        foreach (var instance in instances.EnumerateArray())
        {
            index++;
            if (instance.ValueKind != JsonValueKind.Object)
            {
                errors[$"{InstancesField}[{index}]"] = ["must be an object"];
                rejected.Add(InstanceField);
                continue;
            }

            // A field sent twice counts with its last value, as JSON parsers commonly do.
            var record = new Dictionary<string, RawValue>(FeatureSchema.Columns.Count, StringComparer.Ordinal);
            foreach (var property in instance.EnumerateObject())
            {
                record[property.Name] = RawValue.FromJson(property.Value);
            }

            fieldErrors.Clear();
            var parsed = FeatureSchema.Validate(record, fieldErrors);
            foreach (var error in fieldErrors)
            {
                errors[$"{InstancesField}[{index}].{error.Field}"] = [error.Message];
                rejected.Add(FeatureSchema.Columns.Any(c => c.Name == error.Field) ? error.Field : UnknownField);
            }

            if (parsed is not null)
            {
                features.Add(parsed);
            }
        }

        return errors.Count > 0 ? Fail(Problems.Invalid(errors), [.. rejected]) : new Result(features, null, []);
    }

    private static Result Fail(IResult error, params string[] rejectedFields) => new(null, error, rejectedFields);
}
