using Microsoft.Data.Sqlite;

namespace MlOps.Platform.Data;

/// <summary>The file of a SQLite connection string: relative to the service's content root, its folder made on first use.</summary>
internal static class SqliteFile
{
    /// <summary>
    /// <paramref name="connectionString"/> with a relative <c>Data Source</c> made absolute against
    /// <paramref name="contentRoot"/>, as <c>Model:Directory</c> is, so <c>dotnet run</c>, the tests and the image agree on
    /// the file whatever the current directory. In-memory databases, absolute paths and strings the driver cannot read
    /// (the validator refuses them with its message) are left as they are.
    /// </summary>
    public static string Anchored(string connectionString, string contentRoot)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return connectionString;
        }

        if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && builder.Mode != SqliteOpenMode.Memory
            && !Path.IsPathRooted(source))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, source));
        }

        return builder.ToString();
    }

    /// <summary>Creates the folder of the file of <paramref name="connectionString"/> (SQLite creates the file, not its folder).</summary>
    public static void EnsureFolder(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
    }
}
