using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// One hostile or broken request, kept as a data file in tests/MlOpsTemplates.Tests/BadRequests (one JSON file per
/// request): method, path, Content-Type, body (or a body built by repeating a unit), which API key to send,
/// the expected 4xx status and a word the problem's detail or errors must contain.
/// </summary>
public sealed record BadRequest
{
    public const string Folder = "BadRequests";

    /// <summary>A marker placed in many bodies: it must never show up in the service's logs.</summary>
    public const string BodyMarker = "zq-body-marker";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    [JsonIgnore]
    public string Name { get; init; } = "";

    public required string Description { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public string? ContentType { get; init; }

    public string? Body { get; init; }

    public RepeatedBody? BodyRepeat { get; init; }

    public bool Chunked { get; init; }

    /// <summary><c>valid</c> (default), <c>missing</c> or <c>wrong</c>.</summary>
    public string ApiKey { get; init; } = "valid";

    public required int ExpectStatus { get; init; }

    public required string ExpectMention { get; init; }

    public static IReadOnlyList<BadRequest> All { get; } = Load();

    public HttpRequestMessage ToRequest(bool requiresKey)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), Path);
        var bytes = BodyBytes();
        if (bytes is not null)
        {
            HttpContent content = Chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
            if (ContentType is not null)
            {
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
            }

            request.Content = content;
            if (Chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }
        }

        if (requiresKey && ApiKey != "missing")
        {
            request.Headers.Add(ServiceAuth.Header, ApiKey == "wrong" ? "wrong-" + ServiceAuth.TestKey : ServiceAuth.TestKey);
        }

        return request;
    }

    public override string ToString() => $"{Name}: {Description} ({Method} {Path})";

    private byte[]? BodyBytes()
    {
        if (BodyRepeat is { } repeat)
        {
            var text = new StringBuilder(repeat.Prefix);
            for (var i = 0; i < repeat.Count; i++)
            {
                text.Append(repeat.Unit);
            }

            return Encoding.UTF8.GetBytes(text.Append(repeat.Suffix).ToString());
        }

        return Body is null ? null : Encoding.UTF8.GetBytes(Body);
    }

    private static List<BadRequest> Load()
    {
        var folder = System.IO.Path.Combine(AppContext.BaseDirectory, Folder);
        return Directory.GetFiles(folder, "*.json")
            .Order(StringComparer.Ordinal)
            .Select(file => JsonSerializer.Deserialize<BadRequest>(File.ReadAllText(file), s_json)! with
            {
                Name = System.IO.Path.GetFileNameWithoutExtension(file),
            })
            .ToList();
    }

    public sealed record RepeatedBody(string Prefix, string Unit, int Count, string Suffix);
}
