using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MlOps.Platform.Data.Schema;

/// <summary>For <c>dotnet ef migrations add &lt;Name&gt; --context SqlitePredictionDbContext --output-dir Migrations/Sqlite</c>; never used at run time.</summary>
public sealed class SqliteDesignTimeContext : IDesignTimeDbContextFactory<SqlitePredictionDbContext>
{
    /// <inheritdoc />
    public SqlitePredictionDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePredictionDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add &lt;Name&gt; --context PostgresPredictionDbContext --output-dir Migrations/Postgres</c>; never used at run time.</summary>
public sealed class PostgresDesignTimeContext : IDesignTimeDbContextFactory<PostgresPredictionDbContext>
{
    /// <inheritdoc />
    public PostgresPredictionDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPredictionDbContext>().UseNpgsql("Host=localhost;Database=design-time").Options);
}
