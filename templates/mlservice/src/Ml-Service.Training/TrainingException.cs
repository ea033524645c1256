namespace Ml_Service.Training;

/// <summary>Training stopped for a reason the user can act on; the message says what and where.</summary>
public sealed class TrainingException : Exception
{
    public TrainingException()
    {
    }

    public TrainingException(string message)
        : base(message)
    {
    }

    public TrainingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Process exit code: 1 for bad input or configuration, 2 for a failed quality gate.</summary>
    public int ExitCode { get; init; } = 1;
}
