using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one Wait call that could not return at once. It never leaves anything attached to an
/// input once it has completed:
/// <list type="bullet">
/// <item>FirstCompleted with a timeout or cancellation: <see cref="Task.WhenAny(Task[])"/> over the inputs and a private
/// sentinel task that the timeout or cancellation completes, so WhenAny always ends, and then removes its continuations
/// from the losers itself. (Without a timeout or cancellation, Wait uses WhenAny and one continuation that takes the
/// snapshot, with no promise.)</item>
/// <item>FirstException, or AllCompleted with a timeout or cancellation: one continuation per pending input,
/// registered with a private token that removes them all when the call ends early. (AllCompleted without either uses
/// <see cref="WaitAllPromise{TTask}"/>.)</item>
/// </list>
/// </summary>
/// <typeparam name="TTask">The input task type.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The promise disposes its token source itself when it finishes.")]
internal sealed class WaitPromise<TTask> : TaskCompletionSource<WaitResult<TTask>>
    where TTask : Task
{
    private const int Running = 0;
    private const int Finished = 1;

    private const int ReasonInput = 0;
    private const int ReasonTimeout = 1;
    private const int ReasonCanceled = 2;

    private static readonly Action<object?> s_onCanceled = static state => ((WaitPromise<TTask>)state!).OnDeadline(ReasonCanceled);
    private static readonly TimerCallback s_onTimeout = static state => ((WaitPromise<TTask>)state!).OnDeadline(ReasonTimeout);
    private static readonly Action<Task, object?> s_onInputCompleted = static (task, state) => ((WaitPromise<TTask>)state!).OnInputCompleted(task);

    private readonly TTask[] _tasks;
    private readonly ReturnWhen _returnWhen;
    private readonly CancellationToken _cancellationToken;
    private TaskCompletionSource<bool>? _sentinel;
    private CancellationTokenSource? _detach;
    private Task<Task>? _combined;
    private ITimer? _timer;
    private CancellationTokenRegistration _registration;
    private int _remaining;
    private int _state;
    private int _reason;

    private WaitPromise(TTask[] tasks, ReturnWhen returnWhen, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
        _returnWhen = returnWhen;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Takes the snapshot once WhenAny of the inputs has completed (Wait(FirstCompleted) without a deadline).</summary>
    public static readonly Func<Task, object?, WaitResult<TTask>> SnapshotAfterAny = static (_, owned) =>
    {
        // Stryker disable once Boolean : either side may be split in place; the choice only sizes the separate buffer.
        return SnapshotOwned((TTask[])owned!, doneInPlace: false);
    };

    /// <summary>
    /// Splits an array this call owns, reading each task's status once: one side is compacted in input order into the
    /// front of <paramref name="owned"/> itself (safe, since it is written no faster than it is read), the other goes to
    /// a separate buffer, also in input order. <paramref name="doneInPlace"/> picks the side expected to be larger
    /// (completed ones for AllCompleted), so the buffer stays small.
    /// </summary>
    public static WaitResult<TTask> SnapshotOwned(TTask[] owned, bool doneInPlace)
    {
        TTask[]? other = null;
        int otherCount = 0;
        int inPlace = 0;
        for (int i = 0; i < owned.Length; i++)
        {
            TTask task = owned[i];
            if (task.IsCompleted == doneInPlace)
            {
                // Only elements after the first one that went to the other side move; the store is skipped for the others,
                // since a store of a reference into a TTask[] costs a type check and a write barrier.
                if (inPlace != i)
                {
                    owned[inPlace] = task;
                }

                inPlace++;
            }
            else
            {
                if (other is null)
                {
                    // Typically one (FirstCompleted); grows by doubling.
                    other = new TTask[1];
                }
                else if (otherCount == other.Length)
                {
                    // Stryker disable once all : a larger buffer only costs memory.
                    Array.Resize(ref other, Math.Min(owned.Length, other.Length * 2));
                }

                other[otherCount++] = task;
            }
        }

        // Stryker disable once Conditional : an empty segment reads like the shared empty one; sharing it only saves an allocation.
        IReadOnlyCollection<TTask> front = inPlace == 0 ? ReadOnlySegment<TTask>.Empty : new ReadOnlySegment<TTask>(owned, 0, inPlace);
        // Stryker disable once Conditional : as above.
        IReadOnlyCollection<TTask> rest = otherCount == 0 ? ReadOnlySegment<TTask>.Empty : new ReadOnlySegment<TTask>(other!, 0, otherCount);
        return doneInPlace ? new WaitResult<TTask>(front, rest) : new WaitResult<TTask>(rest, front);
    }

    /// <summary>Starts waiting; <paramref name="tasks"/> is owned by the promise from now on and split in place when it finishes.</summary>
    public static Task<WaitResult<TTask>> Start(TTask[] tasks, ReturnWhen returnWhen, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var promise = new WaitPromise<TTask>(tasks, returnWhen, cancellationToken);
        if (returnWhen == ReturnWhen.FirstCompleted)
        {
            // A timeout or cancellation completes the sentinel, so that WhenAny ends and detaches from every input.
            promise._sentinel = new TaskCompletionSource<bool>();
            var inputs = new Task[tasks.Length + 1];
            Array.Copy(tasks, inputs, tasks.Length);
            inputs[tasks.Length] = promise._sentinel.Task;
            promise._combined = System.Threading.Tasks.Task.WhenAny(inputs);
            promise._combined.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(promise.OnCombinedCompleted);
        }
        else
        {
            promise.AttachToEachInput();
        }

        if (timeout != Timeout.InfiniteTimeSpan && promise._state == Running)
        {
            ITimer timer = timeProvider.CreateTimer(s_onTimeout, promise, timeout, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref promise._timer, timer);
            // Stryker disable once all : race only: finished while the timer was being stored.
            if (Volatile.Read(ref promise._state) != Running)
            {
                // Finished while the timer was being stored: the finishing path may not have seen it.
                timer.Dispose();
            }
        }

        // Stryker disable once Logical : registering on a token that cannot be canceled is a no-op.
        if (cancellationToken.CanBeCanceled && promise._state == Running)
        {
            promise._registration = Registrations.Register(s_onCanceled, promise, cancellationToken);
            // Stryker disable once all : race only: finished while registering.
            if (Volatile.Read(ref promise._state) != Running)
            {
                Registrations.Release(promise._registration);
            }
        }

        return promise.Task;
    }

    private void AttachToEachInput()
    {
        _detach = new CancellationTokenSource();
        CancellationToken detachToken = _detach.Token;
        _remaining = PendingCount.Bias;
        int registered = 0;
        foreach (TTask task in _tasks)
        {
            // Stryker disable once all : race only: Start returns at once when an input has faulted already, so only one faulting meanwhile stops the loop early.
            if (Volatile.Read(ref _state) != Running)
            {
                // An input faulted meanwhile (FirstException): attach nothing more.
                break;
            }

            if (!task.IsCompleted)
            {
                registered++;
                _ = task.ContinueWith(s_onInputCompleted, this, detachToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            // Stryker disable once all : race only, as above: an input that faulted after the check at the call.
            else if (_returnWhen == ReturnWhen.FirstException && task.IsFaulted)
            {
                Finish(ReasonInput);
            }
        }

        // Stryker disable once all : race only: every registered input completed before the count was settled (Start returns at once when the condition already holds).
        if (PendingCount.Settle(ref _remaining, registered))
        {
            Finish(ReasonInput);
        }
    }

    private void OnInputCompleted(Task task)
    {
        if (_returnWhen == ReturnWhen.FirstException && task.IsFaulted)
        {
            Finish(ReasonInput);
        }

        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Finish(ReasonInput);
        }
    }

    private void OnCombinedCompleted()
    {
        // WhenAny over the inputs and the sentinel: the sentinel wins only when a timeout or cancellation ended the wait.
        // Stryker disable once Conditional : _reason stays ReasonInput unless a deadline completed the sentinel.
        Finish(_combined!.Result == _sentinel!.Task ? Volatile.Read(ref _reason) : ReasonInput);
    }

    private void OnDeadline(int reason)
    {
        if (_sentinel is not null)
        {
            // Let WhenAny end through the sentinel, so it detaches from every input itself.
            if (Interlocked.CompareExchange(ref _reason, reason, ReasonInput) == ReasonInput)
            {
                // Stryker disable once Boolean : the sentinel's value is never read.
                _sentinel.TrySetResult(true);
            }
        }
        else
        {
            Finish(reason);
        }
    }

    private void Finish(int reason)
    {
        // Stryker disable once Statement,Block : race only: a second Finish (a deadline racing the last input) finds everything released.
        if (Interlocked.Exchange(ref _state, Finished) != Running)
        {
            return;
        }

        Interlocked.Exchange(ref _timer, null)?.Dispose();
        Registrations.Release(_registration);
        if (_detach is not null)
        {
            // Stryker disable once Equality : cancelling with nothing left attached is harmless.
            if (Volatile.Read(ref _remaining) > 0)
            {
                // Removes the continuations from the inputs that are still pending.
                _detach.Cancel();
            }

            // Stryker disable once all : a token source without a timer or a wait handle holds nothing to release.
            _detach.Dispose();
        }

        if (reason == ReasonCanceled)
        {
            TrySetCanceled(_cancellationToken);
        }
        else
        {
            // Stryker disable once Equality : either side may be split in place; the choice only sizes the separate buffer.
            TrySetResult(SnapshotOwned(_tasks, doneInPlace: _returnWhen == ReturnWhen.AllCompleted));
        }
    }
}
