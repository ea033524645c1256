using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// The <c>Model</c> settings: each model is served from <c>Model:Directory/&lt;name&gt;/model.zip</c> or its
/// <c>Model:Paths:&lt;name&gt;</c>; a setting the service does not know stops the start instead of being ignored.
/// </summary>
public class ServingSettingsTests
{
    [Theory]
    [InlineData("Model:Path", "models/model.zip", "Path")]
    [InlineData("Model:Name", "fraud", "Name")]
    [InlineData("Model:Paths:" + ServedModelCases.UnknownModel, "models/model.zip", ServedModelCases.UnknownModel)]
    public async Task An_unknown_model_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        // A host of its own rather than ApiFactory: when Program's start fails, WebApplicationFactory may
        // report only that the failed host was disposed, without the error.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Configuration[key] = value;
        builder.Services.AddModelServing(builder.Configuration);
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<Exception>()).Where(e => Messages(e).Contains(named, StringComparison.Ordinal), "the error names the setting");
    }

    [Fact]
    public void Each_model_is_served_from_its_folder_under_the_directory_unless_a_path_is_given()
    {
        var options = new ServingOptions { Directory = "trained" };
        var model = ServedModelCases.Any;
        var root = Path.GetTempPath();

        options.ModelPath(model, root).Should().Be(Path.Combine(root, "trained", model.Name, TrainedModel.FileName));
        options.Paths[model.Name] = "/mnt/models/candidate.zip";
        options.ModelPath(model, root).Should().Be("/mnt/models/candidate.zip");
    }

    private static string Messages(Exception exception) =>
        exception.InnerException is null ? exception.Message : exception.Message + " " + Messages(exception.InnerException);
}
