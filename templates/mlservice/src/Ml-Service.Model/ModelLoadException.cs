namespace Ml_Service.Model;

/// <summary>
/// A model file is missing, unreadable or does not fit the schema. <see cref="Exception.Message"/> says which in
/// full (paths, system messages) for the log; <see cref="Reason"/> says it in a few words that are safe to show to
/// anyone who can reach the probes.
/// </summary>
public sealed class ModelLoadException : Exception
{
    public const string DefaultReason = "model could not be loaded";

    public ModelLoadException()
    {
        Reason = DefaultReason;
    }

    public ModelLoadException(string message)
        : base(message)
    {
        Reason = DefaultReason;
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = DefaultReason;
    }

    public ModelLoadException(string message, string reason, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>A short reason without paths or system messages, for readiness and metadata responses.</summary>
    public string Reason { get; }
}
