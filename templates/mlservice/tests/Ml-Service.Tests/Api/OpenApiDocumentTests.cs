using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>
/// docs/openapi.json is the API's published contract; it must match what the code serves with the
/// settings it ships with.
/// </summary>
public class OpenApiDocumentTests(ShippedSettingsApiFactory factory) : IClassFixture<ShippedSettingsApiFactory>
{
    [Fact]
    public async Task The_committed_document_matches_the_running_code()
    {
        var client = factory.CreateClient();

        var served = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(Repository.OpenApiPath, JsonNode.Parse(served)!.ToJsonString(new() { WriteIndented = true }) + "\n");
        }

        // Comment lines are tolerated: the template this repository came from keeps its variants in this file.
        var committed = JsonNode.Parse(
            await File.ReadAllTextAsync(Repository.OpenApiPath),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        JsonNode.DeepEquals(committed, JsonNode.Parse(served)).Should().BeTrue(
            "docs/openapi.json must describe the running API; regenerate it with: UPDATE_OPENAPI=1 dotnet test");
    }

    [Fact]
    public async Task The_interactive_reference_is_served_in_development()
    {
        var client = factory.CreateClient();

        var page = await client.GetStringAsync(new Uri("/scalar/", UriKind.Relative));

        page.Should().Contain("<html", Exactly.Once());
    }
}
