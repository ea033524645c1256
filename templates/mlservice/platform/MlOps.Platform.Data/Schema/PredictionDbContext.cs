using Microsoft.EntityFrameworkCore;

namespace MlOps.Platform.Data.Schema;

/// <summary>
/// The prediction log's schema: tables <c>predictions</c> and <c>feedback</c>, snake_case, with the two indexes its
/// queries need and no other. Each provider has its own context type (<see cref="SqlitePredictionDbContext"/>,
/// <see cref="PostgresPredictionDbContext"/>), which owns that provider's migrations, made by <c>dotnet ef</c>. One
/// set cannot serve both: a migration holds the provider's column types, and SQLite's (TEXT for ids and times) on
/// PostgreSQL break the queries by time (<c>operator does not exist: text &gt; timestamp with time zone</c>).
/// </summary>
public abstract class PredictionDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>Table <c>predictions</c>.</summary>
    public DbSet<PredictionRecord> Predictions => Set<PredictionRecord>();

    /// <summary>Table <c>feedback</c>.</summary>
    public DbSet<FeedbackRecord> Feedback => Set<FeedbackRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<PredictionRecord>(prediction =>
        {
            prediction.ToTable("predictions");
            prediction.HasKey(p => p.Id).HasName("pk_predictions");
            prediction.Property(p => p.Id).HasColumnName("id").ValueGeneratedNever();
            prediction.Property(p => p.Model).HasColumnName("model").HasMaxLength(PredictionRecord.MaxNameLength);
            prediction.Property(p => p.ModelVersion).HasColumnName("model_version").HasMaxLength(PredictionRecord.MaxNameLength);
            prediction.Property(p => p.RequestId).HasColumnName("request_id").HasMaxLength(PredictionRecord.MaxNameLength);
            prediction.Property(p => p.CreatedAt).HasColumnName("created_at");
            prediction.Property(p => p.Inputs).HasColumnName("inputs");
            prediction.Property(p => p.Outputs).HasColumnName("outputs");
            prediction.Property(p => p.LatencyMs).HasColumnName("latency_ms");
            // A model's recent predictions (live quality), its traffic to export, and retention's deletes by age.
            prediction.HasIndex(p => new { p.Model, p.CreatedAt }).HasDatabaseName("ix_predictions_model_created_at");
        });

        modelBuilder.Entity<FeedbackRecord>(feedback =>
        {
            feedback.ToTable("feedback");
            feedback.HasKey(f => f.Id).HasName("pk_feedback");
            feedback.Property(f => f.Id).HasColumnName("id").ValueGeneratedNever();
            feedback.Property(f => f.PredictionId).HasColumnName("prediction_id");
            feedback.Property(f => f.Truth).HasColumnName("truth").HasMaxLength(FeedbackRecord.MaxTruthLength);
            feedback.Property(f => f.CreatedAt).HasColumnName("created_at");
            feedback.Property(f => f.Source).HasColumnName("source").HasMaxLength(FeedbackRecord.MaxSourceLength);
            // The join of a prediction with its truths, and the cascade when retention deletes predictions.
            feedback.HasOne(f => f.Prediction).WithMany(p => p.Feedback).HasForeignKey(f => f.PredictionId)
                .HasConstraintName("fk_feedback_predictions_prediction_id")
                .OnDelete(DeleteBehavior.Cascade);
            feedback.HasIndex(f => f.PredictionId).HasDatabaseName("ix_feedback_prediction_id");
        });
    }
}

/// <summary>The schema on SQLite, with its migrations (<c>Migrations/Sqlite</c>).</summary>
public sealed class SqlitePredictionDbContext(DbContextOptions<SqlitePredictionDbContext> options) : PredictionDbContext(options);

/// <summary>The schema on PostgreSQL, with its migrations (<c>Migrations/Postgres</c>).</summary>
public sealed class PostgresPredictionDbContext(DbContextOptions<PostgresPredictionDbContext> options) : PredictionDbContext(options);
