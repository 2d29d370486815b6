using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// A run whose items one consumer takes as they become available (AsCompleted over operations, Map, Merge): the
/// consumer's wait, the close that drops what comes after it, and the end of the run.
/// </summary>
/// <typeparam name="TItem">What the consumer receives.</typeparam>
internal abstract class StreamRunner<TItem> : OperationRunner
{
    /// <summary>Wakes the consumer when an item arrives or the run ends.</summary>
    private readonly AsyncSignal _signal = new();

    /// <summary>Completes when the run has ended.</summary>
    private readonly TaskCompletionSource<bool> _allStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the consumer waits on <see cref="_signal"/>.</summary>
    private bool _consumerWaiting;

    /// <summary>Whether the run has ended.</summary>
    private bool _ended;

    /// <summary>Whether items from now on are dropped (the run failed, timed out, was cancelled or left).</summary>
    private bool _closed;

    /// <summary>What ends the enumeration once the run has ended: the first failure, the timeout or the cancellation.</summary>
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// What disposing the source threw. A consumer that leaves the loop never sees <see cref="_failure"/>, so leaving
    /// throws this, as an <c>await foreach</c> over the source itself would.
    /// </summary>
    private ExceptionDispatchInfo? _disposeFailure;

    protected StreamRunner(WorkSource source, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
        : base(source, maxConcurrency, options, callerContext, cancellationToken)
    {
    }

    /// <summary>Gets a task that completes once nothing the run started is running and the source is disposed.</summary>
    public Task AllStopped => _allStopped.Task;

    /// <summary>Gets the lock that guards the items and the consumer's state.</summary>
    protected object ItemsLock { get; } = new();

    /// <summary>Gets a value indicating whether items from now on are dropped.</summary>
    protected bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Gets a value indicating whether the run failed, timed out or was cancelled; read under <see cref="ItemsLock"/>.</summary>
    protected bool IsFailed => _failure is not null;

    public void Start() => Begin();

    /// <summary>Takes the next item, or a wait for one, or finds the end.</summary>
    public abstract Take TryTake(out TItem item, out ValueTask wait);

    /// <summary>Stops the run (the consumer left the loop): nothing more starts and what runs is cancelled.</summary>
    public void Abandon() => CloseAndStop(null);

    /// <summary>Ends the run with a <see cref="TimeoutException"/> after the items completed so far.</summary>
    public void TimeOut() => CloseAndStop(new TimeoutException("The operations did not all complete within the timeout."));

    /// <summary>Throws what ended the run, if anything did.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    /// <summary>Throws what disposing the source threw, if it did; for a consumer that left the loop, once the run has stopped.</summary>
    public void ThrowIfDisposeFailed() => _disposeFailure?.Throw();

    /// <summary>Closes the run unless it is closed or has ended; <paramref name="failure"/>, if any, is what the consumer gets.</summary>
    protected bool Close(Exception? failure)
    {
        lock (ItemsLock)
        {
            if (_closed || _ended)
            {
                return false;
            }

            _closed = true;
            if (failure is not null)
            {
                _failure = ExceptionDispatchInfo.Capture(failure);
            }
        }

        OnClosed();
        return true;
    }

    /// <summary>Closes the run as <see cref="Close"/> does, then stops it: nothing more starts and what runs is cancelled.</summary>
    protected void CloseAndStop(Exception? failure)
    {
        // Closing may free slots at once (Merge: each source holding an item ends): no start may land there before Stop.
        RefuseStarts();
        if (Close(failure))
        {
            Stop();
        }
    }

    /// <summary>Called once, outside the lock, when the run has been closed.</summary>
    protected virtual void OnClosed()
    {
    }

    /// <summary>The consumer finds nothing to take: it waits, or finds the end.</summary>
    protected Take WaitOrEndLocked(out TItem item, out ValueTask wait)
    {
        item = default!;
        if (_ended)
        {
            wait = default;
            return Take.End;
        }

        _consumerWaiting = true;
        wait = _signal.Wait();
        return Take.Wait;
    }

    /// <summary>An item was queued: whether the consumer waits for it (it is woken once, by the caller, outside the lock).</summary>
    protected bool TakeWaiterLocked()
    {
        bool waiting = _consumerWaiting;
        _consumerWaiting = false;
        return waiting;
    }

    /// <summary>
    /// Wakes the consumer that <see cref="TakeWaiterLocked"/> found waiting, asynchronously unless <paramref name="mayRunHere"/>.
    /// Then, on a pool thread with no context of its own, the consumer goes on right here, as an await of a completed
    /// operation would: a hop to another pool thread for every item would make each handed-over item cost a thread-pool
    /// round trip, and the slot it holds would wait for it. Elsewhere (a context, a dedicated thread, or inside the
    /// launcher, where its loop body would hold up every start after it), it is resumed asynchronously.
    /// </summary>
    protected void WakeConsumer(bool mayRunHere)
    {
        if (mayRunHere && !MayBeCompletingAtStart && SynchronizationContext.Current is null && TaskScheduler.Current == TaskScheduler.Default && Thread.CurrentThread.IsThreadPoolThread)
        {
            _signal.SetInline();
        }
        else
        {
            _signal.Set();
        }
    }

    protected override void OnSourceDisposeFailed(Exception exception)
    {
        RecordDisposeFailure(exception);
        OnSourceFailed(exception);
    }

    /// <summary>Keeps the first failure of a dispose, for a consumer that leaves the loop (see <see cref="ThrowIfDisposeFailed"/>).</summary>
    protected void RecordDisposeFailure(Exception exception)
    {
        lock (ItemsLock)
        {
            _disposeFailure ??= ExceptionDispatchInfo.Capture(exception);
        }
    }

    protected override void OnAllStopped()
    {
        bool wake;
        lock (ItemsLock)
        {
            _ended = true;
            wake = TakeWaiterLocked();
        }

        if (wake)
        {
            WakeConsumer(mayRunHere: false);
        }

        _allStopped.TrySetResult(true);
    }
}

/// <summary>
/// Runs operations for AsCompleted over operations (every completion, in completion order, the slot freed at
/// completion) and Map (results, in completion or source order, each holding its slot until handed over, and the first
/// failure ending the run).
/// </summary>
/// <typeparam name="TItem">What the consumer receives for a completed operation.</typeparam>
internal sealed class OperationStreamRunner<TItem> : StreamRunner<TItem>
{
    /// <summary>Makes the consumer's item of operation <c>index</c>'s completed task.</summary>
    private readonly Func<int, Task, TItem> _toItem;

    /// <summary>Map: the first failure ends the run and drops what was not handed over, and an item holds its slot until handed over.</summary>
    private readonly bool _isMap;

    /// <summary>Items are handed over in source order (Map's default).</summary>
    private readonly bool _ordered;

    /// <summary>
    /// Completed operations not yet handed over, by their place in the hand-over order: the operation's index (ordered)
    /// or its arrival (unordered).
    /// </summary>
    private readonly Dictionary<int, (int Index, Task Task)> _completed = new();

    /// <summary>How many completed operations have arrived; the place of the next in completion order.</summary>
    private int _arrived;

    /// <summary>How many items have been handed over; the place of the next.</summary>
    private int _taken;

    public OperationStreamRunner(WorkSource source, Func<int, Task, TItem> toItem, bool isMap, bool ordered, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
        : base(source, maxConcurrency, options, callerContext, cancellationToken)
    {
        _toItem = toItem;
        _isMap = isMap;
        _ordered = ordered;
    }

    public override Take TryTake(out TItem item, out ValueTask wait)
    {
        (int Index, Task Task) next;
        lock (ItemsLock)
        {
            // Map hands nothing more over once it has failed.
            if ((_isMap && IsFailed) || !_completed.TryGetValue(_taken, out next))
            {
                return WaitOrEndLocked(out item, out wait);
            }

            _completed.Remove(_taken++);
        }

        wait = default;
        item = _toItem(next.Index, next.Task);
        if (_isMap)
        {
            ReleaseSlot();
        }

        return Take.Item;
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        if (_isMap && !task.IsSucceeded() && !(CanceledOperations && Operations.EndedCanceled(task)))
        {
            CloseAndStop(Outcome.FromCompletedTask(task).Exception);
            return true;
        }

        bool wake;
        lock (ItemsLock)
        {
            if (IsClosed)
            {
                // After a failure, the timeout, the cancellation or the consumer leaving, completions are dropped.
                return true;
            }

            _completed.Add(_ordered ? index : _arrived++, (index, task));
            wake = TakeWaiterLocked();
        }

        if (!_isMap)
        {
            // AsCompleted frees the slot at completion. Freed only after the queuing (a start here that completes at once
            // queues after this one) and before the wake: a consumer resumed on this thread runs its loop body here, and the
            // next operation must not wait for that body.
            ReleaseSlot();
        }

        if (wake)
        {
            WakeConsumer(mayRunHere: true);
        }

        // Map: a queued item keeps its slot until the consumer takes it; AsCompleted's is free already.
        return false;
    }

    protected override void OnSourceFailed(Exception exception) => CloseAndStop(exception);

    protected override void OnCallerCanceledCore()
    {
        // The cancellation ends the enumeration at once: what is queued is dropped.
        Close(new OperationCanceledException(CallerToken));
        lock (ItemsLock)
        {
            _completed.Clear();
        }
    }
}
