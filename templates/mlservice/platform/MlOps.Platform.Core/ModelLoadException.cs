namespace MlOps.Platform;

/// <summary>
/// A model file is missing, unreadable or does not fit the schema. <see cref="Exception.Message"/> says which in
/// full (paths, system messages) for the log; <see cref="Reason"/> says it in a few words that are safe to show to
/// anyone who can reach the probes.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>The <see cref="Reason"/> when a constructor is not given one.</summary>
    public const string DefaultReason = "model could not be loaded";

    /// <summary>Initializes a new instance of the <see cref="ModelLoadException"/> class.</summary>
    public ModelLoadException()
    {
        Reason = DefaultReason;
    }

    /// <summary>Initializes a new instance of the <see cref="ModelLoadException"/> class with a specified error message.</summary>
    public ModelLoadException(string message)
        : base(message)
    {
        Reason = DefaultReason;
    }

    /// <summary>Initializes a new instance of the <see cref="ModelLoadException"/> class with a specified error message and a reference to the inner exception that is the cause of this exception.</summary>
    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = DefaultReason;
    }

    /// <summary>Initializes a new instance of the <see cref="ModelLoadException"/> class with a full error message for the log, a short <paramref name="reason"/> that is safe to show, and optionally the inner exception that is the cause of this exception.</summary>
    public ModelLoadException(string message, string reason, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>A short reason without paths or system messages, for readiness and metadata responses.</summary>
    public string Reason { get; }
}
