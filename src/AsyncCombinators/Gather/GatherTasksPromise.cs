using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one fail-fast Gather call over hot tasks: a <see cref="Countdown"/>, the first failure by
/// completion time, and one group per run of up to <see cref="GroupSize"/> consecutive inputs with more than one
/// pending (an input pending alone in its run is watched on its own). A group's single delegate is attached to each of
/// its pending inputs, and each completion claims one completed input of the group. A shared delegate alone cannot tell
/// which input completed, and a node and a delegate per input cost many times the bytes of a group per input, which
/// the allocation target of Gather does not allow; a group costs one atomic exchange per completion, as a countdown does.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for untyped tasks, whose results are not kept.</typeparam>
internal sealed class GatherTasksPromise<T> : TaskCompletionSource<T[]>, IInterruptible
{
    /// <summary>
    /// The most inputs one group watches: below 32, the bits of its claim mask. Larger groups cost fewer objects; a
    /// completion looks at up to this many inputs (at one when the inputs complete in order).
    /// </summary>
    internal const int GroupSize = 16;

    private static readonly Action<object?> s_onCanceled = static state => ((GatherTasksPromise<T>)state!).OnCanceled();

    /// <summary>The results in input order, or <see langword="null"/> when they are not kept.</summary>
    private readonly T[]? _results;

    /// <summary>The caller's token, which the returned task reports when it ends canceled.</summary>
    private readonly CancellationToken _cancellationToken;

    /// <summary>The registrations (a single input, or a group) whose inputs have not all been examined.</summary>
    private Countdown _countdown;

    /// <summary>The registration on the caller's token.</summary>
    private Interrupts _interrupts;

    /// <summary>
    /// The inputs the groups look at again when one of theirs completes, from index <see cref="_offset"/> on: the
    /// library's own array, or a copy of the rest of the caller's array, made when the first group is formed (the caller
    /// may reuse its array).
    /// </summary>
    private Task[]? _tasks;

    /// <summary>The index in the inputs of <see cref="_tasks"/>' first element.</summary>
    private int _offset;

    private GatherTasksPromise(Task[]? tasks, T[]? results, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
        _results = results;
        _cancellationToken = cancellationToken;
    }

    /// <inheritdoc/>
    public bool HasEnded => Task.IsCompleted;

    /// <summary>
    /// Gathers <paramref name="tasks"/>[<paramref name="start"/>..], whose earlier elements have already succeeded and
    /// whose results, if kept, are already in <paramref name="results"/>.
    /// </summary>
    /// <param name="tasks">The inputs.</param>
    /// <param name="owned">Whether <paramref name="tasks"/> is the library's own array; if not (the caller's), the
    /// inputs that groups watch are copied, because a group reads them again when one of them completes.</param>
    /// <param name="start">The first input not known to have succeeded.</param>
    /// <param name="results">The results so far, or <see langword="null"/> if they are not kept.</param>
    /// <param name="cancellationToken">Cancels the waiting.</param>
    public static Task<T[]> Start(Task[] tasks, bool owned, int start, T[]? results, CancellationToken cancellationToken)
    {
        var promise = new GatherTasksPromise<T>(owned ? tasks : null, results, cancellationToken);
        promise._countdown.Start();
        int registered = 0;
        for (int first = start; first < tasks.Length; first += GroupSize)
        {
            if (promise.Watch(tasks, first, Math.Min(GroupSize, tasks.Length - first)))
            {
                registered++;
            }
        }

        promise._interrupts.Register(promise, s_onCanceled, cancellationToken);
        if (promise._countdown.Settle(registered))
        {
            promise.Finish();
        }

        return promise.Task;
    }

    /// <summary>
    /// Examines the inputs <paramref name="tasks"/>[<paramref name="first"/>..+<paramref name="count"/>] already complete,
    /// in input order, and watches the pending ones: alone, or as a group. Returns whether it registered anything.
    /// </summary>
    private bool Watch(Task[] tasks, int first, int count)
    {
        // A set bit is an input the group must not count: one already complete (examined here) or a bit past the last input.
        int claimed = -1 << count;
        int lastPendingBit = -1;
        for (int bit = 0; bit < count; bit++)
        {
            Task task = tasks[first + bit];
            if (task.IsCompleted)
            {
                Record(task, first + bit);
                claimed |= 1 << bit;
            }
            else
            {
                lastPendingBit = bit;
            }
        }

        if (lastPendingBit < 0)
        {
            return false;
        }

        if ((claimed | (1 << lastPendingBit)) == -1)
        {
            // The only pending input of its group needs no group (and no copy of the caller's array): nothing else can
            // complete with it.
            Task alone = tasks[first + lastPendingBit];
            alone.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(new Single(this, alone, first + lastPendingBit).OnCompleted);
            return true;
        }

        if (_tasks is null)
        {
            _tasks = new Task[tasks.Length - first];
            Array.Copy(tasks, first, _tasks, 0, _tasks.Length);
            _offset = first;
        }

        Action onCompleted = new Group(this, first, claimed).OnCompleted;
        for (int bit = 0; bit < count; bit++)
        {
            if ((claimed & (1 << bit)) == 0)
            {
                _tasks[first - _offset + bit].ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(onCompleted);
            }
        }

        return true;
    }

    /// <summary>
    /// Examines a completed input: keeps its result, or fails the promise (and observes the failure). Examining an input
    /// twice changes nothing: the same result is stored again, and a promise fails only once.
    /// </summary>
    private void Record(Task task, int index)
    {
        if (task.IsSucceeded())
        {
            if (_results is not null)
            {
                _results[index] = ((Task<T>)task).Result;
            }
        }
        else if (task.IsFaulted)
        {
            // Reading Exception marks it observed; every failure is read, including those after the first.
            Complete(TrySetException(task.Exception!.InnerExceptions[0]));
        }
        else
        {
            Complete(TrySetCanceled());
        }
    }

    /// <summary>Counts down one registration whose inputs have all been examined; the last one completes the promise.</summary>
    private void CountDown()
    {
        if (_countdown.Signal())
        {
            Finish();
        }
    }

    private void Finish() => Complete(TrySetResult(_results!));

    private void OnCanceled() => Complete(TrySetCanceled(_cancellationToken));

    /// <summary>Releases the registration once this call has completed the promise.</summary>
    private void Complete(bool completedNow)
    {
        if (completedNow)
        {
            _interrupts.Release();
        }
    }

    /// <summary>The only pending input of its group, watched on its own.</summary>
    private sealed class Single
    {
        /// <summary>The promise the input belongs to.</summary>
        private readonly GatherTasksPromise<T> _promise;

        /// <summary>The input.</summary>
        private readonly Task _task;

        /// <summary>Its index in the inputs.</summary>
        private readonly int _index;

        public Single(GatherTasksPromise<T> promise, Task task, int index)
        {
            _promise = promise;
            _task = task;
            _index = index;
        }

        public void OnCompleted()
        {
            _promise.Record(_task, _index);
            _promise.CountDown();
        }
    }

    /// <summary>
    /// Up to <see cref="GroupSize"/> consecutive inputs behind one delegate. Each completion of one of its inputs runs
    /// <see cref="OnCompleted"/>, which examines, then claims, one completed input; the group counts down once, when
    /// every input is claimed.
    /// </summary>
    private sealed class Group
    {
        /// <summary>The promise the inputs belong to.</summary>
        private readonly GatherTasksPromise<T> _promise;

        /// <summary>The index in the inputs of the group's first input.</summary>
        private readonly int _first;

        /// <summary>The claim mask: a set bit is an input already examined, or past the end.</summary>
        private int _claimed;

        public Group(GatherTasksPromise<T> promise, int first, int claimed)
        {
            _promise = promise;
            _first = first;
            _claimed = claimed;
        }

        public void OnCompleted()
        {
            // Which input completed is unknown, so this run claims the first input of the group, in input order, that
            // has completed and is not claimed yet. There always is one: at most as many inputs are claimed as runs have
            // started, and each run's own input is complete before it starts (each claim publishes, through the atomic
            // exchange, the completion of the input whose run made it). So each run claims exactly one input.
            Task[] tasks = _promise._tasks!;
            int first = _first - _promise._offset;
            int claimed = Volatile.Read(ref _claimed);
            while (true)
            {
                int bit = FirstCompletedUnclaimed(tasks, first, claimed);
                Debug.Assert(bit >= 0, "A run starts only after its own input has completed, and claims one input.");

                // Recorded BEFORE it is claimed: the run whose claim fills the mask then knows that every input of the
                // group has been recorded, so the results are complete when it counts down. A run that loses the claim
                // to another has recorded the input twice, which changes nothing.
                _promise.Record(tasks[first + bit], _first + bit);
                int seen = Interlocked.CompareExchange(ref _claimed, claimed | (1 << bit), claimed);
                if (seen == claimed)
                {
                    claimed |= 1 << bit;
                    break;
                }

                // Another run claimed meanwhile: look again.
                claimed = seen;
            }

            if (claimed == -1)
            {
                _promise.CountDown();
            }
        }

        private static int FirstCompletedUnclaimed(Task[] tasks, int first, int claimed)
        {
            for (uint open = ~(uint)claimed; open != 0; open &= open - 1)
            {
                int bit = Bits.TrailingZeroCount(open);
                if (tasks[first + bit].IsCompleted)
                {
                    return bit;
                }
            }

            return -1;
        }
    }
}
