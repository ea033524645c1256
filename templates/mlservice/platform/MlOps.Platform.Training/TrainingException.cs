namespace MlOps.Platform.Training;

/// <summary>Training stopped for a reason the user can act on; the message says what and where.</summary>
public sealed class TrainingException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="TrainingException"/> class.</summary>
    public TrainingException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrainingException"/> class with a specified error message.</summary>
    public TrainingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrainingException"/> class with a specified error message and a reference to the inner exception that is the cause of this exception.</summary>
    public TrainingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Process exit code: 1 for bad input or configuration, 2 for a failed quality gate.</summary>
    public int ExitCode { get; init; } = 1;
}
