using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MlOps.Platform.Data;

/// <summary>Stops the start with the setting to fix when the connection string is missing or not one of the provider's, or the live-quality settings contradict each other. Messages never quote the connection string.</summary>
public sealed class PredictionLogOptionsValidator : IValidateOptions<PredictionLogOptions>
{
    private const string Setting = $"ConnectionStrings:{PredictionLogOptions.ConnectionStringName}";

    /// <summary>Fails without a connection string, with one the provider's driver cannot read, or with a live-quality minimum above its window.</summary>
    public ValidateOptionsResult Validate(string? name, PredictionLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                $"The prediction log is on but {Setting} is not set (environment ConnectionStrings__{PredictionLogOptions.ConnectionStringName}). "
                + (options.Provider == PredictionStore.Sqlite
                    ? "For sqlite: 'Data Source=<path of the database file>'."
                    : "For postgres: 'Host=<host>;Port=5432;Database=<database>;Username=<user>;Password=<password>'."));
        }

        if (options.LiveQualityMinLabelled > options.LiveQualityWindow)
        {
            return ValidateOptionsResult.Fail(
                $"{PredictionLogOptions.Section}:{nameof(PredictionLogOptions.LiveQualityMinLabelled)} ({options.LiveQualityMinLabelled}) is above "
                + $"{PredictionLogOptions.Section}:{nameof(PredictionLogOptions.LiveQualityWindow)} ({options.LiveQualityWindow}): no live metric could ever be published.");
        }

        try
        {
            _ = options.Provider == PredictionStore.Sqlite
                ? new SqliteConnectionStringBuilder(options.ConnectionString).ToString()
                : new NpgsqlConnectionStringBuilder(options.ConnectionString).ToString();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // The driver's message names the keyword; the value (a password) is not repeated.
            return ValidateOptionsResult.Fail(
                $"{Setting} is not a valid {options.Provider.ToString().ToLowerInvariant()} connection string: {ex.Message.Split('\n')[0]}");
        }

        return ValidateOptionsResult.Success;
    }
}
