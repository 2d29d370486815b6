using System.Collections.Concurrent;

namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>A synchronization context that runs every posted callback on one dedicated thread, like a UI thread.</summary>
public sealed class SingleThreadSynchronizationContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Thread _thread;

    public SingleThreadSynchronizationContext()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "single-thread context" };
        _thread.Start();
    }

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    /// <summary>Runs <paramref name="action"/> on the context's thread and returns its task.</summary>
    public Task<T> Run<T>(Func<Task<T>> action)
    {
        var result = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(_ => result.SetResult(action()), null);
        return result.Task.Unwrap();
    }

    public void Dispose() => _queue.CompleteAdding();

    private void Run()
    {
        SetSynchronizationContext(this);
        foreach ((SendOrPostCallback callback, object? state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }
}
