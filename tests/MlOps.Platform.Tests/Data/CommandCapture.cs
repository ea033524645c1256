using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MlOps.Platform.Tests.Data;

/// <summary>A SQL command EF Core sent, with its parameters.</summary>
public sealed record CapturedCommand(string Text, IReadOnlyList<(string Name, object? Value)> Parameters);

/// <summary>
/// Records the commands EF Core executes in the calling flow (an async local: other tests and the service's own
/// background work are not recorded) from its diagnostic events, until disposed.
/// </summary>
public sealed class CommandCapture : IDisposable
{
    private static readonly AsyncLocal<CommandCapture?> s_current = new();
    private static readonly Lazy<IDisposable> s_subscription = new(() => DiagnosticListener.AllListeners.Subscribe(new Listeners()));
    private readonly ConcurrentQueue<CapturedCommand> _commands = new();

    private CommandCapture()
    {
    }

    /// <summary>The commands so far, in the order they ran.</summary>
    public IReadOnlyList<CapturedCommand> Commands => [.. _commands];

    /// <summary>Starts recording the commands of this flow.</summary>
    public static CommandCapture Start()
    {
        _ = s_subscription.Value;
        var capture = new CommandCapture();
        s_current.Value = capture;
        return capture;
    }

    public void Dispose() => s_current.Value = null;

    private sealed class Listeners : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                value.Subscribe(new Events());
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class Events : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data && s_current.Value is { } capture)
            {
                capture._commands.Enqueue(new CapturedCommand(
                    data.Command.CommandText,
                    [.. data.Command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value))]));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
