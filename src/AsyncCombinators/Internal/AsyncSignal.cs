using System;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace AsyncCombinators.Internal;

/// <summary>
/// A reusable wake-up for one waiter at a time: each <see cref="Wait"/> is completed by one <see cref="Set"/>. Reused
/// so that a consumer waiting for every item allocates nothing per wait.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>Starts a new wait; the owner must make sure the previous one has been awaited and no <see cref="Set"/> is pending.</summary>
    public ValueTask Wait()
    {
        _core.Reset();
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Ends the current wait; its continuation runs asynchronously (never inside the caller's code).</summary>
    public void Set()
    {
        _core.RunContinuationsAsynchronously = true;
        _core.SetResult(true);
    }

    /// <summary>
    /// Ends the current wait and lets its continuation run on this thread, unless it asked for a context of its own. For a
    /// waiter that would otherwise pay a thread-pool hop for every item (Merge's sources, a stream's consumer).
    /// </summary>
    public void SetInline()
    {
        _core.RunContinuationsAsynchronously = false;
        _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
