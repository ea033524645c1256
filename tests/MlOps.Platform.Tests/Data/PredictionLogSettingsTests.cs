using MlOps.Platform.Data;

namespace MlOps.Platform.Tests.Data;

/// <summary>A prediction log that cannot work stops the start with a message naming the setting to fix, and never the secret.</summary>
public sealed class PredictionLogSettingsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    public static TheoryData<string, string?, string> InvalidSettings => new()
    {
        { "ConnectionStrings:Predictions", null, "ConnectionStrings:Predictions is not set" },
        { "ConnectionStrings:Predictions", "Data Source=x.db;Colour=blue", "ConnectionStrings:Predictions is not a valid sqlite connection string" },
        { "PredictionLog:Provider", "mysql", "PredictionLog:Provider" },
        { "PredictionLog:SampleRate", "1.5", "SampleRate" },
        { "PredictionLog:QueueCapacity", "0", "QueueCapacity" },
        { "PredictionLog:Inputs", "encrypt", "PredictionLog:Inputs" },
        { "PredictionLog:BatchSise", "10", "BatchSise" },
        { "PredictionLog:LiveQualityMinLabelled", "2000", "PredictionLog:LiveQualityMinLabelled (2000) is above PredictionLog:LiveQualityWindow (1000)" },
        { "PredictionLog:LiveQualityIntervalSeconds", "0", "LiveQualityIntervalSeconds" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task An_invalid_setting_stops_the_start_naming_it(string key, string? value, string message)
    {
        using var database = await TestDatabase.CreateAsync(PredictionStore.Sqlite, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?> { [key] = value });

        var start = () => service.CreateStartedClientAsync();

        (await start.Should().ThrowAsync<Exception>()).Which.ToString().Should().Contain(message);
    }

    [Fact]
    public async Task A_postgres_connection_string_error_names_the_keyword_but_not_the_password()
    {
        using var database = await TestDatabase.CreateAsync(PredictionStore.Postgres, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Predictions"] = "Host=db;Password=hunter2-secret;Colour=blue",
        });

        var start = () => service.CreateStartedClientAsync();

        (await start.Should().ThrowAsync<Exception>()).Which.ToString().Should()
            .Contain("not a valid postgres connection string").And.NotContain("hunter2-secret");
    }
}
