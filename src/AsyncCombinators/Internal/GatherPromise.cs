using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one fail-fast Gather call over hot tasks: an <see cref="Interlocked"/> countdown of the
/// pending inputs, one small node per pending input (it must know which input completed, to fail fast and to store the
/// result in input order), and the first failure by completion time.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for untyped tasks, whose results are not kept.</typeparam>
internal sealed class GatherPromise<T> : TaskCompletionSource<T[]>
{
    private static readonly Action<object?> s_onCanceled = static state => ((GatherPromise<T>)state!).OnCanceled();

    private readonly T[]? _results;
    private readonly CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private int _remaining;

    private GatherPromise(T[]? results, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _results = results;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Gathers <paramref name="tasks"/>[<paramref name="start"/>..], whose earlier elements have already succeeded and
    /// whose results, if kept, are already in <paramref name="results"/>.
    /// </summary>
    public static Task<T[]> Start(Task[] tasks, int start, T[]? results, CancellationToken cancellationToken)
    {
        var promise = new GatherPromise<T>(results, cancellationToken)
        {
            // Counts down from a bias no input count reaches, so that nothing completes the promise before every pending
            // input has been registered; the bias is then traded for the number registered, in one atomic step.
            _remaining = PendingCount.Bias,
        };

        int registered = 0;
        for (int i = start; i < tasks.Length; i++)
        {
            Task task = tasks[i];
            if (task.IsCompleted)
            {
                // Already complete at the call: examined in input order, inline.
                promise.Record(task, i);
            }
            else
            {
                registered++;
                task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(new Node(promise, task, i).Invoke);
            }
        }

        // Stryker disable once Logical : registering on a token that cannot be canceled is a no-op, and a registration made after completion is released below.
        if (cancellationToken.CanBeCanceled && !promise.Task.IsCompleted)
        {
            promise._registration = Registrations.Register(s_onCanceled, promise, cancellationToken);
            // Stryker disable once all : race only: an input completed the promise while it was registering.
            if (promise.Task.IsCompleted)
            {
                // Completed while registering: the completing path could not see the registration yet.
                Registrations.Release(promise._registration);
            }
        }

        // Stryker disable once all : race only: every registered input completed before the count was settled.
        if (PendingCount.Settle(ref promise._remaining, registered))
        {
            promise.Finish();
        }

        return promise.Task;
    }

    private void Record(Task task, int index)
    {
        if (task.IsSucceeded())
        {
            if (_results is not null)
            {
                _results[index] = ((Task<T>)task).Result;
            }
        }
        else
        {
            Fail(task);
        }
    }

    private void OnInputCompleted(Task task, int index)
    {
        Record(task, index);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Finish();
        }
    }

    private void Fail(Task task)
    {
        bool completed;
        if (task.IsFaulted)
        {
            // Reading Exception marks it observed; every failure is read, including those after the first.
            completed = TrySetException(task.Exception!.InnerExceptions[0]);
        }
        else
        {
            completed = TrySetCanceled();
        }

        if (completed)
        {
            Registrations.Release(_registration);
        }
    }

    private void Finish()
    {
        if (TrySetResult(_results!))
        {
            Registrations.Release(_registration);
        }
    }

    private void OnCanceled()
    {
        // Stryker disable once all : the token has just been canceled, which already dropped this registration.
        if (TrySetCanceled(_cancellationToken))
        {
            Registrations.Release(_registration);
        }
    }

    private sealed class Node
    {
        private readonly GatherPromise<T> _promise;
        private readonly Task _task;
        private readonly int _index;

        public Node(GatherPromise<T> promise, Task task, int index)
        {
            _promise = promise;
            _task = task;
            _index = index;
        }

        public void Invoke() => _promise.OnInputCompleted(_task, _index);
    }
}
