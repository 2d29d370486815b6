using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// AsCompleted over cold operations: completed operations are queued in completion order while the next ones start,
/// whether or not the consumer asks; the consumer drains the queue.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class StreamRunner<T> : OperationRunner<T>
{
    private readonly object _queueLock = new();
    private readonly Queue<(int Index, Task<T> Task)> _queue = new();
    private readonly TaskCompletionSource<bool> _allStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<bool>? _waiter;
    private bool _ended;

    public StreamRunner(Func<CancellationToken, Task<T>>[] operations, int maxConcurrency, CancellationToken cancellationToken)
        : base(operations, maxConcurrency, cancellationToken)
    {
    }

    /// <summary>Gets a task that completes once no started operation is running any more.</summary>
    public Task AllStopped => _allStopped.Task;

    public void Start() => Begin();

    /// <summary>Stops starting operations and cancels the running ones (the consumer left the loop).</summary>
    public void Abandon() => Stop();

    /// <summary>Takes the next completed operation, or returns a task that completes when there is one or none will come.</summary>
    public bool TryTake(out (int Index, Task<T> Task) item, out Task? wait)
    {
        lock (_queueLock)
        {
            if (_queue.Count != 0)
            {
                item = _queue.Dequeue();
                wait = null;
                return true;
            }

            item = default;
            if (_ended)
            {
                wait = null;
                return false;
            }

            // Stryker disable once all : one consumer, which asks again only after its wait has ended (and the waiter was cleared).
            _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
            return false;
        }
    }

    protected override void OnOperationCompleted(int index, Task<T> task)
    {
        TaskCompletionSource<bool>? waiter;
        lock (_queueLock)
        {
            _queue.Enqueue((index, task));
            waiter = _waiter;
            _waiter = null;
        }

        // Stryker disable once Boolean : the waiter's value is never read; it only wakes the consumer.
        waiter?.TrySetResult(true);
    }

    protected override void OnAllStopped()
    {
        TaskCompletionSource<bool>? waiter;
        lock (_queueLock)
        {
            _ended = true;
            waiter = _waiter;
            _waiter = null;
        }

        // Stryker disable once all : every operation's completion has already woken the consumer; this is a safety net.
        waiter?.TrySetResult(false);
        // Stryker disable once Boolean : the value is never read.
        _allStopped.TrySetResult(true);
    }
}
