using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Platform.Serving.Endpoints;

namespace MlOps.Platform.Data.Feedback;

/// <summary>
/// Reads a feedback body as the predict endpoint reads its own: 415 when it is not JSON, 413 past
/// <see cref="MaxBodyBytes"/>, 400 for JSON that is not valid or holds a field a feedback does not have; never a 500,
/// whatever the environment (model binding throws on a bad body in Development).
/// </summary>
public static class FeedbackRequestReader
{
    /// <summary>Largest feedback body read, in bytes: a feedback is an id, a label and a short source.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly JsonSerializerOptions s_json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The feedback of <paramref name="request"/>, or the problem that refuses it.</summary>
    public static async Task<(FeedbackRequest? Feedback, IResult? Refused)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Send the feedback as application/json."));
        }

        var tooLarge = Problems.Status(StatusCodes.Status413PayloadTooLarge, $"A feedback body is at most {MaxBodyBytes} bytes.");
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, tooLarge);
        }

        // Read from the body's pipe, as the predict reader does: the service protections may have buffered it there already.
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
                return (null, Problems.Status(ex.StatusCode, ex.Message)); // the client hung up mid-body: its fault, not ours
            }

            var body = read.Buffer;
            if (body.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(body.Start, body.End);
                return (null, tooLarge);
            }

            if (!read.IsCompleted)
            {
                reader.AdvanceTo(body.Start, body.End);
                continue;
            }

            try
            {
                return Parse(body);
            }
            finally
            {
                reader.AdvanceTo(body.End);
            }
        }
    }

    private static (FeedbackRequest? Feedback, IResult? Refused) Parse(ReadOnlySequence<byte> body)
    {
        FeedbackRequest? feedback;
        try
        {
            var json = new Utf8JsonReader(body);
            feedback = JsonSerializer.Deserialize<FeedbackRequest>(ref json, s_json);
        }
        catch (JsonException ex)
        {
            return (null, Invalid($"is not a valid feedback: {ex.Message}"));
        }

        return feedback is null ? (null, Invalid("must be a JSON object")) : (feedback, null);
    }

    private static ValidationProblem Invalid(string message) => Problems.Invalid(PredictRequestReader.BodyField, message);
}
