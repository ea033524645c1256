using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MlOps.Platform.Serving.Endpoints;

/// <summary>
/// Reads a predict request body and validates every instance against the model's <see cref="ModelDefinition"/>.
/// Errors are keyed by JSON path (<c>instances[2].contract</c>) so a caller knows what to fix.
/// The body is parsed where Kestrel buffered it, without copying it first.
/// </summary>
public static class PredictRequestReader
{
    /// <summary>The field of a predict request that holds the instances.</summary>
    public const string InstancesField = "instances";

    /// <summary>Field names of <see cref="Result.RejectedFields"/> besides the features of the schema.</summary>
    public const string BodyField = "body";
    /// <summary>The rejected field of an instance that is not a JSON object.</summary>
    public const string InstanceField = "instance";
    /// <summary>The rejected field of a property that is neither a feature nor <see cref="InstancesField"/>.</summary>
    public const string UnknownField = "unknown";

    /// <param name="Instances">The validated instances; null when the request was refused.</param>
    /// <param name="Invalid">The 400 response when the body broke a rule of the request schema.</param>
    /// <param name="Refused">The 413 or 415 response when the body was not read at all.</param>
    /// <param name="RejectedFields">
    /// For a 400: one entry per invalid field, named without the instance index so it suits a metric label
    /// (a feature name, <c>instances</c>, <c>instance</c>, <c>body</c>, or <c>unknown</c> for fields that are not features).
    /// </param>
    public sealed record Result(
        IReadOnlyList<FeatureRow>? Instances,
        ValidationProblem? Invalid,
        ProblemHttpResult? Refused,
        IReadOnlyList<string> RejectedFields);

    /// <summary>Reads the JSON body of <paramref name="request"/> (refused with 415 when it is not JSON, 413 when it is too large) and validates every instance against <paramref name="model"/>.</summary>
    public static async Task<Result> ReadAsync(HttpRequest request, ModelDefinition model, ServingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (!request.HasJsonContentType())
        {
            return Refuse(Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Send the request body as application/json."));
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
                return Refuse(Problems.Status(ex.StatusCode, ex.Message));
            }

            var body = read.Buffer;
            if (body.Length > options.MaxRequestBodyBytes)
            {
                reader.AdvanceTo(body.Start, body.End);
                return TooLarge(options);
            }

            // Only a completed read holds the whole body. A canceled one (Kestrel cancels pending reads while it
            // shuts down gracefully) is read again: parsing it would answer 400 to a request still arriving.
            if (read.IsCompleted)
            {
                try
                {
                    return Parse(body, model, options.MaxBatchSize);
                }
                finally
                {
                    reader.AdvanceTo(body.End);
                }
            }

            reader.AdvanceTo(body.Start, body.End);
        }
    }

    private static Result Parse(ReadOnlySequence<byte> body, ModelDefinition model, int maxBatchSize)
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
            return Validate(document.RootElement, model, maxBatchSize);
        }
    }

    private static Result TooLarge(ServingOptions options) =>
        Refuse(Problems.Status(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {options.MaxRequestBodyBytes} bytes."));

    private static Result Validate(JsonElement root, ModelDefinition model, int maxBatchSize)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(InstancesField, out var instances)
            || instances.ValueKind != JsonValueKind.Array)
        {
            return Fail(Problems.Invalid(InstancesField, "is required and must be an array of objects"), InstancesField);
        }

        // A field given twice, or one the protocol does not know, is refused rather than silently dropped.
        var seenInstances = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != InstancesField)
            {
                return Fail(Problems.Invalid(property.Name, $"is not a field of a predict request; send only '{InstancesField}'"), UnknownField);
            }

            if (seenInstances)
            {
                return Fail(Problems.Invalid(InstancesField, "appears more than once; send it once"), InstancesField);
            }

            seenInstances = true;
        }

        var count = instances.GetArrayLength();
        if (count == 0 || count > maxBatchSize)
        {
            return Fail(Problems.Invalid(InstancesField, $"must hold between 1 and {maxBatchSize} instances, got {count}"), InstancesField);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var rejected = new List<string>();
        var features = new List<FeatureRow>(count);
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

            // A field sent twice is refused: which of its values was meant is unknowable.
            var record = new Dictionary<string, RawValue>(model.Features.Count, StringComparer.Ordinal);
            var duplicated = false;
            foreach (var property in instance.EnumerateObject())
            {
                if (!record.TryAdd(property.Name, RawValue.FromJson(property.Value))
                    && errors.TryAdd($"{InstancesField}[{index}].{property.Name}", ["appears more than once in this instance; send each field once"]))
                {
                    rejected.Add(model.Features.Any(c => c.Name == property.Name) ? property.Name : UnknownField);
                    duplicated = true;
                }
            }

            if (duplicated)
            {
                continue;
            }

            fieldErrors.Clear();
            var parsed = model.Validate(record, fieldErrors);
            foreach (var error in fieldErrors)
            {
                errors[$"{InstancesField}[{index}].{error.Field}"] = [error.Message];
                rejected.Add(model.Features.Any(c => c.Name == error.Field) ? error.Field : UnknownField);
            }

            if (parsed is not null)
            {
                features.Add(parsed);
            }
        }

        return errors.Count > 0 ? Fail(Problems.Invalid(errors), [.. rejected]) : new Result(features, null, null, []);
    }

    private static Result Fail(ValidationProblem invalid, params string[] rejectedFields) => new(null, invalid, null, rejectedFields);

    private static Result Refuse(ProblemHttpResult refused) => new(null, null, refused, []);
}
