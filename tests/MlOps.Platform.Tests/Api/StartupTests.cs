using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Tests.Api;

/// <summary>A configuration that cannot be served stops the start with a message that names it, and a clear exit code.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("development")]
    [InlineData("PRODUCTION")]
    public async Task A_standard_environment_name_in_another_case_stops_the_start_naming_it(string environment)
    {
        await using var app = Build(environment);

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain($"ASPNETCORE_ENVIRONMENT is '{environment}'").And.Contain("Development, Staging or Production");
    }

    [Fact]
    public async Task An_invalid_setting_ends_the_service_with_exit_code_2_instead_of_an_abort()
    {
        await using var app = Build("Production", ("Limits:MaxConcurrentRequests", "0"));

        app.RunService().Should().Be(2);
    }

    private static WebApplication Build(string environment, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.AddServiceDefaults();
        builder.AddServiceProtections();
        return builder.Build();
    }
}
