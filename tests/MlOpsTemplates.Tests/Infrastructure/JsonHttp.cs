using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A response read in full, so assertions can show it.</summary>
public sealed record JsonResponse(HttpStatusCode Status, string? MediaType, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException($"Empty JSON body: {this}");

    /// <summary>A top-level property that must be present (a missing one fails with the whole response).</summary>
    public JsonNode Required(string property) =>
        Json[property] ?? throw new Xunit.Sdk.XunitException($"Response has no '{property}':{Environment.NewLine}{this}");

    public override string ToString() => $"{(int)Status} {MediaType}{Environment.NewLine}{Body}";
}

public static class JsonHttp
{
    public static async Task<JsonResponse> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await ReadAsync(response);
    }

    public static async Task<JsonResponse> PostAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        return await ReadAsync(response);
    }

    private static async Task<JsonResponse> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
}
