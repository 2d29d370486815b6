using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one fail-fast Gather call over hot tasks: an <see cref="Interlocked"/> countdown, the first
/// failure by completion time, and one small group per run of up to <see cref="GroupSize"/> consecutive inputs with
/// more than one pending (an input pending alone in its run is watched on its own). A group's single delegate is
/// attached to each of its pending inputs, and each completion claims one completed input of the group: a shared
/// delegate alone cannot tell which input completed, and a node and a delegate per input cost about 100 B each, where
/// a group costs about 6 B per input and one atomic exchange per completion, as Task.WhenAll's countdown does.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for untyped tasks, whose results are not kept.</typeparam>
internal sealed class GatherTasksPromise<T> : TaskCompletionSource<T[]>
{
    /// <summary>
    /// The most inputs one group watches (below 32, the bits of its claim mask). Sixteen: a group's node and delegate cost
    /// about 6 B per input, and a completion looks at no more than sixteen inputs (at one when they complete in order).
    /// In a same-process comparison, sixteen was 2-6% faster than eight when inputs complete in order or at random, and
    /// up to 7% slower when they complete in reverse order (each completion then looks at more inputs); four was slower
    /// than eight in every order.
    /// </summary>
    internal const int GroupSize = 16;

    private static readonly Action<object?> s_onCanceled = static state => ((GatherTasksPromise<T>)state!).OnCanceled();

    private readonly T[]? _results;
    private readonly CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private int _remaining;

    // The inputs the groups look at again when one of theirs completes, from index _offset on: the library's own array,
    // or a copy of the rest of the caller's array, made when the first group is formed (the caller may reuse its array).
    private Task[]? _tasks;
    private int _offset;

    private GatherTasksPromise(Task[]? tasks, T[]? results, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
        _results = results;
        _cancellationToken = cancellationToken;
    }

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
        // Stryker disable once Conditional : allocation only, caught by the allocation tests, which do not kill it under Stryker (checked by hand in a Release run): an array of ours would be copied again.
        var promise = new GatherTasksPromise<T>(owned ? tasks : null, results, cancellationToken)
        {
            // Counts down from a bias no input count reaches, so that nothing completes the promise before every pending
            // registration (an input watched alone, or a group) has been made; the bias is then traded for their number.
            _remaining = PendingCount.Bias,
        };

        int registered = 0;
        // Stryker disable once Equality : a group starting at the end has no input and is skipped.
        for (int first = start; first < tasks.Length; first += GroupSize)
        {
            int count = Math.Min(GroupSize, tasks.Length - first);

            // A set bit is an input the group must not count: one already complete at the call (examined here, in
            // input order, inline) or a bit past the last input.
            int claimed = -1 << count;
            Task? lastPending = null;
            int lastPendingBit = 0;
            for (int bit = 0; bit < count; bit++)
            {
                Task task = tasks[first + bit];
                if (task.IsCompleted)
                {
                    promise.Record(task, first + bit);
                    // Stryker disable once all : speed only: an input left unclaimed here is registered on as well, and its (queued) run claims it.
                    claimed |= 1 << bit;
                }
                else
                {
                    lastPending = task;
                    lastPendingBit = bit;
                }
            }

            if (lastPending is null)
            {
                continue;
            }

            // One registration: the input alone, or its group.
            registered++;
            // Stryker disable once all : allocation only, caught by the allocation tests, which do not kill it under Stryker (checked by hand in a Release run): a group of one pending input works the same.
            if ((claimed | (1 << lastPendingBit)) == -1)
            {
                // The only pending input of its group needs no group: nothing else can complete with it.
                lastPending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(new Single(promise, lastPending, first + lastPendingBit).OnCompleted);
                continue;
            }

            if (promise._tasks is null)
            {
                var copy = new Task[tasks.Length - first];
                Array.Copy(tasks, first, copy, 0, copy.Length);
                promise._tasks = copy;
                promise._offset = first;
            }

            Action onCompleted = new Group(promise, first, claimed).OnCompleted;
            Task[] watched = promise._tasks;
            // Stryker disable once Equality : the bit past the last input is set, so it is skipped.
            for (int bit = 0; bit < count; bit++)
            {
                if ((claimed & (1 << bit)) == 0)
                {
                    watched[first - promise._offset + bit].ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(onCompleted);
                }
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
        else
        {
            Fail(task);
        }
    }

    /// <summary>Counts down one completed registration (a single input or a whole group); the last one completes the promise.</summary>
    private void CountDown()
    {
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

    /// <summary>The only pending input of its group, watched on its own.</summary>
    private sealed class Single
    {
        private readonly GatherTasksPromise<T> _promise;
        private readonly Task _task;
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
    /// Up to <see cref="GroupSize"/> consecutive inputs behind one delegate, with a claim mask (a set bit: an input
    /// already examined, or past the end). Each completion of one of its inputs runs <see cref="OnCompleted"/>, which
    /// examines, then claims, one completed input; the group counts down once, when every input is claimed.
    /// </summary>
    private sealed class Group
    {
        private readonly GatherTasksPromise<T> _promise;
        private readonly int _first;
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
            // has completed and is not claimed yet. There always is one: at most as many inputs are claimed as runs
            // have started, and each run's own input is complete before it starts (each claim publishes, through the
            // atomic exchange, the completion of the input whose run made it). So each run claims exactly one input.
            Task[] tasks = _promise._tasks!;
            int first = _first - _promise._offset;
            int claimed = Volatile.Read(ref _claimed);
            while (true)
            {
                // Stryker disable once all : the not-found value only matters in the unreachable case below.
                int bit = -1;
                for (uint open = ~(uint)claimed; open != 0; open &= open - 1)
                {
                    int candidate = Bits.TrailingZeroCount(open);
                    if (tasks[first + candidate].IsCompleted)
                    {
                        bit = candidate;
                        break;
                    }
                }

                // Stryker disable once all : unreachable (see above); never claim an input that has not completed.
                if (bit < 0)
                {
                    claimed = Volatile.Read(ref _claimed);
                    continue;
                }

                // Recorded BEFORE it is claimed: the run whose claim fills the mask then knows that every input of the group
                // has been recorded (each claim comes after its record), so the results are complete when it counts down.
                // A run that loses the claim to another has recorded the input twice, which changes nothing.
                _promise.Record(tasks[first + bit], _first + bit);
                int seen = Interlocked.CompareExchange(ref _claimed, claimed | (1 << bit), claimed);
                if (seen == claimed)
                {
                    // Stryker disable once Assignment : the bit was clear (the exchange succeeded), so setting and flipping it agree.
                    claimed |= 1 << bit;
                    break;
                }

                // Another run claimed meanwhile: look again.
                claimed = seen;
            }

            // The group counts once, when its last input is claimed (and so every input has been recorded).
            if (claimed == -1)
            {
                _promise.CountDown();
            }
        }
    }
}
