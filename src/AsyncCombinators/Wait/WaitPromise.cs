using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one Wait call that could not return at once. It waits in the cheapest way that leaves
/// nothing attached to an input once it has completed:
/// <list type="bullet">
/// <item>FirstCompleted: <see cref="Task.WhenAny(Task[])"/>, which detaches from the losers itself. When a timeout or the
/// caller's token can end the wait first, WhenAny also watches a private sentinel task that they complete, so it always
/// ends. (Without either, <see cref="Start"/> makes no promise: see there.)</item>
/// <item>AllCompleted when nothing can end the wait early: one shared delegate on each pending input and a countdown. The
/// wait ends only when every input has completed, so nothing stays attached.</item>
/// <item>Otherwise (FirstException, or AllCompleted with a timeout or a token): a continuation per pending input,
/// registered with a private token that removes them all when the wait ends early.</item>
/// </list>
/// Wait never reads, and so never observes, the inputs' exceptions: it hands the tasks back to its caller.
/// </summary>
/// <typeparam name="TTask">The input task type.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The promise disposes its token source itself when it finishes.")]
internal sealed class WaitPromise<TTask> : TaskCompletionSource<WaitResult<TTask>>, IInterruptible
    where TTask : Task
{
    private const int Running = 0;
    private const int Finished = 1;

    private const int AttachIdle = 0;
    private const int Attaching = 1;
    private const int EndedWhileAttaching = 2;

    private const int ReasonInput = 0;
    private const int ReasonTimeout = 1;
    private const int ReasonCanceled = 2;

    private static readonly Action<object?> s_onCanceled = static state => ((WaitPromise<TTask>)state!).OnInterrupted(ReasonCanceled);
    private static readonly TimerCallback s_onTimeout = static state => ((WaitPromise<TTask>)state!).OnInterrupted(ReasonTimeout);
    private static readonly Action<Task, object?> s_onInputCompleted = static (task, state) => ((WaitPromise<TTask>)state!).OnInputCompleted(task);
    private static readonly Func<Task, object?, WaitResult<TTask>> s_splitAfterAny = static (_, owned) => Split((TTask[])owned!, doneInPlace: false);

    /// <summary>The distinct inputs, in an array of Wait's own, split in place into Done and Pending when the wait ends.</summary>
    private readonly TTask[] _tasks;

    /// <summary>The condition that ends the wait.</summary>
    private readonly ReturnWhen _returnWhen;

    /// <summary>The caller's token, which the returned task reports when it ends canceled.</summary>
    private readonly CancellationToken _cancellationToken;

    /// <summary>FirstCompleted with a timeout or a token: the task they complete so that WhenAny ends.</summary>
    private TaskCompletionSource<bool>? _sentinel;

    /// <summary>A continuation per pending input: the source whose token removes them all.</summary>
    private CancellationTokenSource? _detach;

    /// <summary>The pending inputs whose continuation has not run yet (AllCompleted and FirstException).</summary>
    private Countdown _countdown;

    /// <summary>The timer and the registration on the caller's token.</summary>
    private Interrupts _interrupts;

    /// <summary><see cref="Running"/> until the wait ends, then <see cref="Finished"/>.</summary>
    private int _state;

    /// <summary>What ended a FirstCompleted wait through its sentinel: a timeout or a cancellation.</summary>
    private int _reason;

    /// <summary>Whether the call is still attaching a continuation per input, and whether the wait ended meanwhile.</summary>
    private int _attaching;

    private WaitPromise(TTask[] tasks, ReturnWhen returnWhen, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
        _returnWhen = returnWhen;
        _cancellationToken = cancellationToken;
    }

    /// <inheritdoc/>
    public bool HasEnded => Volatile.Read(ref _state) != Running;

    /// <summary>The result when every input has completed: all of them, in input order, in Done; nothing pending.</summary>
    public static WaitResult<TTask> AllDone(TTask[] owned) =>
        new(new ReadOnlySegment<TTask>(owned, 0, owned.Length), ReadOnlySegment<TTask>.Empty);

    /// <summary>
    /// Splits an array Wait owns, reading each task's status once: one side is compacted in input order into the front
    /// of <paramref name="owned"/> itself (safe, since it is written no faster than it is read), the other goes to a
    /// separate buffer, also in input order. <paramref name="doneInPlace"/> picks the side expected to be larger, so the
    /// buffer stays small.
    /// </summary>
    public static WaitResult<TTask> Split(TTask[] owned, bool doneInPlace)
    {
        TTask[]? other = null;
        int otherCount = 0;
        int inPlace = 0;
        foreach (TTask task in owned)
        {
            if (task.IsCompleted == doneInPlace)
            {
                owned[inPlace++] = task;
            }
            else
            {
                // Typically one (FirstCompleted); grows by doubling.
                if (other is null || otherCount == other.Length)
                {
                    Array.Resize(ref other, otherCount == 0 ? 1 : Math.Min(owned.Length, otherCount * 2));
                }

                other[otherCount++] = task;
            }
        }

        IReadOnlyCollection<TTask> front = Segment(owned, inPlace);
        IReadOnlyCollection<TTask> rest = Segment(other, otherCount);
        return doneInPlace ? new WaitResult<TTask>(front, rest) : new WaitResult<TTask>(rest, front);

        static ReadOnlySegment<TTask> Segment(TTask[]? array, int count) =>
            count == 0 ? ReadOnlySegment<TTask>.Empty : new ReadOnlySegment<TTask>(array!, 0, count);
    }

    /// <summary>Starts waiting on <paramref name="tasks"/>, which Wait owns from now on and which is split in place at the end.</summary>
    public static Task<WaitResult<TTask>> Start(TTask[] tasks, ReturnWhen returnWhen, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        bool interruptible = timeout != Timeout.InfiniteTimeSpan || cancellationToken.CanBeCanceled;
        if (returnWhen == ReturnWhen.FirstCompleted && !interruptible)
        {
            // Nothing to release: WhenAny and one continuation that splits, which costs fewer objects than a promise and
            // its delegate, as the allocation target of this call requires. The continuation resumes the caller
            // asynchronously, as every other Wait does.
            return System.Threading.Tasks.Task.WhenAny(tasks).ContinueWith(
                s_splitAfterAny,
                tasks,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.RunContinuationsAsynchronously,
                TaskScheduler.Default);
        }

        var promise = new WaitPromise<TTask>(tasks, returnWhen, cancellationToken);
        if (returnWhen == ReturnWhen.FirstCompleted)
        {
            promise.WaitForAny();
        }
        else if (returnWhen == ReturnWhen.AllCompleted && !interruptible)
        {
            promise._countdown.Start();
            promise.Settle(Countdown.AttachToPending(tasks, promise.OnSharedCompletion));
        }
        else
        {
            promise.AttachToEachInput();
        }

        if (interruptible)
        {
            try
            {
                promise._interrupts.Arm(promise, timeout, timeProvider, s_onTimeout, s_onCanceled, cancellationToken, default);
            }
            catch (Exception exception)
            {
                // A TimeProvider is user code, and its CreateTimer may throw: the wait ends with that exception, and
                // what it attached to the inputs is removed, as on any other end.
                promise.Fail(exception);
            }
        }

        return promise.Task;
    }

    private void WaitForAny()
    {
        _sentinel = new TaskCompletionSource<bool>();
        var inputs = new Task[_tasks.Length + 1];
        Array.Copy(_tasks, inputs, _tasks.Length);
        inputs[_tasks.Length] = _sentinel.Task;
        System.Threading.Tasks.Task.WhenAny(inputs).ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(OnAnyCompleted);
    }

    /// <summary>WhenAny has ended: through an input, or through the sentinel, after a timeout or cancellation set the reason.</summary>
    private void OnAnyCompleted() => Finish(Volatile.Read(ref _reason));

    private void AttachToEachInput()
    {
        _detach = new CancellationTokenSource();
        CancellationToken detachToken = _detach.Token;
        _attaching = Attaching;
        _countdown.Start();
        int registered = 0;
        foreach (TTask task in _tasks)
        {
            if (HasEnded)
            {
                // An input faulted meanwhile (FirstException): attach nothing more.
                break;
            }

            if (!task.IsCompleted)
            {
                registered++;
                _ = task.ContinueWith(s_onInputCompleted, this, detachToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            else if (_returnWhen == ReturnWhen.FirstException && task.IsFaulted)
            {
                // Faulted after Wait checked it at the call.
                Finish(ReasonInput);
            }
        }

        // Cancelling the token between ContinueWith's check of it and its registration on the input would leave that
        // continuation on the input for as long as the input runs: a wait that ends meanwhile leaves detaching to here.
        if (Interlocked.Exchange(ref _attaching, AttachIdle) == EndedWhileAttaching)
        {
            Detach();
        }

        Settle(registered);
    }

    private void Settle(int registered)
    {
        if (_countdown.Settle(registered))
        {
            // Every registered input completed before the count was settled.
            Finish(ReasonInput);
        }
    }

    private void OnSharedCompletion()
    {
        if (_countdown.Signal())
        {
            Finish(ReasonInput);
        }
    }

    private void OnInputCompleted(Task task)
    {
        if ((_returnWhen == ReturnWhen.FirstException && task.IsFaulted) || _countdown.Signal())
        {
            Finish(ReasonInput);
        }
    }

    /// <summary>Removes the continuations from the inputs that are still pending.</summary>
    private void Detach()
    {
        _detach!.Cancel();
        _detach.Dispose();
    }

    private void OnInterrupted(int reason)
    {
        if (_sentinel is null)
        {
            Finish(reason);
        }
        else if (Interlocked.CompareExchange(ref _reason, reason, ReasonInput) == ReasonInput)
        {
            // WhenAny ends through the sentinel, detaching from every input itself, and then finishes with this reason.
            _sentinel.TrySetResult(true);
        }
    }

    private void Finish(int reason)
    {
        if (!TryEnd())
        {
            return;
        }

        if (reason == ReasonCanceled)
        {
            TrySetCanceled(_cancellationToken);
        }
        else
        {
            bool set = TrySetResult(Split(_tasks, doneInPlace: _returnWhen == ReturnWhen.AllCompleted));
            Debug.Assert(set, "Only the first Finish completes the promise.");
        }
    }

    /// <summary>Ends the wait with <paramref name="exception"/>, unless it has ended already.</summary>
    private void Fail(Exception exception)
    {
        if (!TryEnd())
        {
            return;
        }

        // WhenAny ends through the sentinel and detaches from every input; its Finish then finds the wait ended.
        _sentinel?.TrySetResult(true);
        TrySetException(exception);
    }

    /// <summary>Marks the wait ended and releases the timer, the registration and the continuations; false if it had ended.</summary>
    private bool TryEnd()
    {
        if (Interlocked.Exchange(ref _state, Finished) != Running)
        {
            return false;
        }

        _interrupts.Release();
        if (_detach is not null && Interlocked.CompareExchange(ref _attaching, EndedWhileAttaching, Attaching) != Attaching)
        {
            Detach();
        }

        return true;
    }
}
