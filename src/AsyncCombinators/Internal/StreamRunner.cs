using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Runs operations for one consumer that takes their items as they become available: AsCompleted over operations
/// (every completion, in completion order, the slot freed at completion) and Map (results, in completion or source
/// order, each holding its slot until handed over, and the first failure ending the run).
/// </summary>
/// <typeparam name="TItem">What the consumer receives for a completed operation.</typeparam>
internal sealed class StreamRunner<TItem> : OperationRunner
{
    /// <summary>Makes the consumer's item of operation <c>index</c>'s completed task.</summary>
    private readonly Func<int, Task, TItem> _toItem;

    /// <summary>Map: the first failure ends the run, and an item holds its slot until handed over.</summary>
    private readonly bool _isMap;

    /// <summary>Items are handed over in source order (Map's default).</summary>
    private readonly bool _ordered;

    /// <summary>Guards the fields below.</summary>
    private readonly object _itemsLock = new();

    /// <summary>Completed operations not yet handed over, in completion order (unordered).</summary>
    private readonly Queue<(int Index, Task Task)> _completed = new();

    /// <summary>Completed operations not yet handed over, by index (ordered).</summary>
    private readonly Dictionary<int, Task> _completedByIndex = new();

    /// <summary>Wakes the consumer when an item arrives or the run ends.</summary>
    private readonly AsyncSignal _signal = new();

    /// <summary>Completes when the run has ended.</summary>
    private readonly TaskCompletionSource<bool> _allStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The index the ordered consumer takes next.</summary>
    private int _nextIndex;

    /// <summary>Whether the consumer waits on <see cref="_signal"/>.</summary>
    private bool _consumerWaiting;

    /// <summary>Whether the run has ended.</summary>
    private bool _ended;

    /// <summary>Whether completions from now on are dropped (the run failed, timed out or was cancelled).</summary>
    private bool _closed;

    /// <summary>What ends the enumeration once the run has ended: the first failure, the timeout or the cancellation.</summary>
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// What disposing the source threw. A consumer that leaves the loop never sees <see cref="_failure"/>, so leaving
    /// throws this, as an <c>await foreach</c> over the source itself would.
    /// </summary>
    private ExceptionDispatchInfo? _disposeFailure;

    public StreamRunner(WorkSource source, Func<int, Task, TItem> toItem, bool isMap, bool ordered, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
        : base(source, maxConcurrency, options, callerContext, cancellationToken)
    {
        _toItem = toItem;
        _isMap = isMap;
        _ordered = ordered;
    }

    /// <summary>Gets a task that completes once nothing the run started is running and the source is disposed.</summary>
    public Task AllStopped => _allStopped.Task;

    public void Start() => Begin();

    /// <summary>Stops the run (the consumer left the loop): nothing more starts and the running operations are cancelled.</summary>
    public void Abandon()
    {
        lock (_itemsLock)
        {
            _closed = true;
        }

        Stop();
    }

    /// <summary>Ends the run with a <see cref="TimeoutException"/> after the items completed so far.</summary>
    public void TimeOut()
    {
        lock (_itemsLock)
        {
            if (_closed || _ended)
            {
                return;
            }

            _closed = true;
            _failure ??= ExceptionDispatchInfo.Capture(new TimeoutException("The operations did not all complete within the timeout."));
        }

        Stop();
    }

    /// <summary>Takes the next item, or a wait for one, or finds the end.</summary>
    public Take TryTake(out TItem item, out ValueTask wait)
    {
        int index;
        Task task;
        lock (_itemsLock)
        {
            if (!TryDequeueLocked(out index, out task))
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
        }

        wait = default;
        item = _toItem(index, task);
        if (_isMap)
        {
            ReleaseSlot();
        }

        return Take.Item;
    }

    /// <summary>Throws what ended the run, if anything did.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    /// <summary>Throws what disposing the source threw, if it did; for a consumer that left the loop, once the run has stopped.</summary>
    public void ThrowIfDisposeFailed() => _disposeFailure?.Throw();

    protected override bool OnOperationCompleted(int index, Task task)
    {
        bool fails = _isMap && !task.IsSucceeded() && !(CanceledOperations && Operations.EndedCanceled(task));
        bool queued = false;
        bool wake = false;
        lock (_itemsLock)
        {
            if (_closed)
            {
                // After a failure, the timeout, the cancellation or the consumer leaving, completions are dropped.
                fails = false;
            }
            else if (fails)
            {
                _failure = ExceptionDispatchInfo.Capture(ExceptionOf(task));
                _closed = true;
            }
            else
            {
                if (_ordered)
                {
                    _completedByIndex.Add(index, task);
                }
                else
                {
                    _completed.Enqueue((index, task));
                }

                queued = true;
                wake = TakeWaiterLocked();
            }
        }

        if (fails)
        {
            Stop();
        }

        if (wake)
        {
            WakeConsumer();
        }

        // Map: a queued item keeps its slot until the consumer takes it.
        return !(_isMap && queued);
    }

    protected override void OnSourceFailed(Exception exception)
    {
        bool first;
        lock (_itemsLock)
        {
            first = !_closed;
            if (first)
            {
                _failure = ExceptionDispatchInfo.Capture(exception);
                _closed = true;
            }
        }

        if (first)
        {
            Stop();
        }
    }

    protected override void OnSourceDisposeFailed(Exception exception)
    {
        lock (_itemsLock)
        {
            _disposeFailure ??= ExceptionDispatchInfo.Capture(exception);
        }

        OnSourceFailed(exception);
    }

    protected override void OnCallerCanceledCore()
    {
        lock (_itemsLock)
        {
            // The cancellation ends the enumeration at once: what is queued is dropped.
            _closed = true;
            _failure ??= ExceptionDispatchInfo.Capture(new OperationCanceledException(CallerToken));
            _completed.Clear();
            _completedByIndex.Clear();
        }
    }

    protected override void OnAllStopped()
    {
        bool wake;
        lock (_itemsLock)
        {
            _ended = true;
            if (_failure is not null && _isMap)
            {
                // Map drops the results not yet handed over when it fails.
                _completed.Clear();
                _completedByIndex.Clear();
            }

            wake = TakeWaiterLocked();
        }

        if (wake)
        {
            _signal.Set();
        }

        _allStopped.TrySetResult(true);
    }

    private static Exception ExceptionOf(Task task) => Outcome.FromCompletedTask(task).Exception!;

    private bool TryDequeueLocked(out int index, out Task task)
    {
        if (_isMap && _failure is not null)
        {
            index = -1;
            task = null!;
            return false;
        }

        if (_ordered)
        {
            if (_completedByIndex.TryGetValue(_nextIndex, out task!))
            {
                _completedByIndex.Remove(_nextIndex);
                index = _nextIndex++;
                return true;
            }

            index = -1;
            return false;
        }

        if (_completed.Count != 0)
        {
            (index, task) = _completed.Dequeue();
            return true;
        }

        index = -1;
        task = null!;
        return false;
    }

    /// <summary>
    /// Wakes the waiting consumer. On a pool thread with no context of its own, the consumer goes on right here, as an
    /// await of a completed operation would: a hop to another pool thread for every item would make each handed-over item
    /// cost a thread-pool round trip, and the slot it holds would wait for it. Elsewhere (a context, a dedicated thread),
    /// the consumer is resumed asynchronously.
    /// </summary>
    private void WakeConsumer()
    {
        if (SynchronizationContext.Current is null && TaskScheduler.Current == TaskScheduler.Default && Thread.CurrentThread.IsThreadPoolThread)
        {
            _signal.SetInline();
        }
        else
        {
            _signal.Set();
        }
    }

    private bool TakeWaiterLocked()
    {
        bool waiting = _consumerWaiting;
        _consumerWaiting = false;
        return waiting;
    }
}
