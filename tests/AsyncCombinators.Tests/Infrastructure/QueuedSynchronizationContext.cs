using System.Collections.Concurrent;

namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// A synchronization context that only queues what is posted to it, until the test runs the queue on its own thread: a
/// caller's context that is busy (a UI thread in the middle of other work) for exactly as long as the test decides.
/// </summary>
public sealed class QueuedSynchronizationContext : SynchronizationContext
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();

    /// <summary>Gets how many posted callbacks wait to run.</summary>
    public int Pending => _queue.Count;

    public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state));

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Makes <paramref name="call"/> on the current thread with this context current.</summary>
    public T Run<T>(Func<T> call) => TestUtil.Under(this, call);

    /// <summary>Runs, on the current thread with this context current, every callback queued so far and those they post.</summary>
    public void RunPending() => Run(() =>
    {
        while (_queue.TryDequeue(out var posted))
        {
            posted.Callback(posted.State);
        }

        return 0;
    });
}
