using AsyncCombinators.Internal;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

/// <summary>
/// Inputs that are already complete (or empty) are answered at once, synchronously, with shared or cached tasks; and the
/// fast paths never take an input that is still pending for a completed one.
/// </summary>
public class FastPathTests
{
    [Fact]
    public void Gather_NonGeneric_AllSucceeded_ReturnsTheCompletedTask()
    {
        Async.Gather(new[] { Task.CompletedTask, Task.FromResult(1) }).Should().BeSameAs(Task.CompletedTask);
        Async.Gather(Array.Empty<Task>()).Should().BeSameAs(Task.CompletedTask);
    }

    [Fact]
    public void Combinators_EmptyInputs_ReturnOneCachedTaskPerResultType()
    {
        var noOps = Array.Empty<Func<CancellationToken, Task<int>>>();
        Async.Gather(noOps).Should().BeSameAs(Async.Gather(new List<Func<CancellationToken, Task<int>>>()));
        Async.GatherOutcomes(noOps).Should().BeSameAs(Async.GatherOutcomes(new List<Func<CancellationToken, Task<int>>>()));
        Async.GatherOutcomes(Array.Empty<Task<int>>()).Should().BeSameAs(Async.GatherOutcomes(new List<Task<int>>()));
        Async.GatherOutcomes(Array.Empty<Task>()).Should().BeSameAs(Async.GatherOutcomes(new List<Task>()));
        Async.Gather(noOps).Result.Should().BeEmpty();
    }

    public static TheoryData<int, int> ArityAndPendingPosition()
    {
        var data = new TheoryData<int, int>();
        for (int arity = 2; arity <= 5; arity++)
        {
            for (int pending = 0; pending < arity; pending++)
            {
                data.Add(arity, pending);
            }
        }

        return data;
    }

    /// <summary>Every other input has succeeded: the fast path must still notice the one pending input, wherever it is.</summary>
    [Theory]
    [MemberData(nameof(ArityAndPendingPosition))]
    public async Task Gather_Heterogeneous_OnePendingInputAnywhere_Waits(int arity, int pendingPosition)
    {
        var gate = Source<int>();
        Task<int> Input(int position) => position == pendingPosition ? gate.Task : Task.FromResult(position + 10);
        // The call itself must return at once: a fast path that took the pending input for a completed one would block
        // on its Result. It runs on another thread so that such a regression fails the guard instead of hanging the run.
        Task<Task<int[]>> call = Task.Factory.StartNew(() => arity switch
        {
            2 => Tuple(Async.Gather(Input(0), Input(1)), t => new[] { t.Item1, t.Item2 }),
            3 => Tuple(Async.Gather(Input(0), Input(1), Input(2)), t => new[] { t.Item1, t.Item2, t.Item3 }),
            4 => Tuple(Async.Gather(Input(0), Input(1), Input(2), Input(3)), t => new[] { t.Item1, t.Item2, t.Item3, t.Item4 }),
            _ => Tuple(Async.Gather(Input(0), Input(1), Input(2), Input(3), Input(4)), t => new[] { t.Item1, t.Item2, t.Item3, t.Item4, t.Item5 }),
        }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        Task<int[]> gather = await call.Guard("the Gather call returns without waiting for the pending input");

        gather.IsCompleted.Should().BeFalse("one input is still pending");
        gate.SetResult(pendingPosition + 10);
        (await gather.Guard()).Should().Equal(Enumerable.Range(10, arity));

        static async Task<int[]> Tuple<TTuple>(Task<TTuple> task, Func<TTuple, int[]> values) => values(await task.ConfigureAwait(false));
    }

    [Fact]
    public void Gather_HeterogeneousOperations_AllSynchronous_CompletesAtTheCall()
    {
        Task<(int, string)> two = Async.Gather(_ => Task.FromResult(1), _ => Task.FromResult("b"));
        two.IsCompleted.Should().BeTrue("every operation completed synchronously");
        two.Result.Should().Be((1, "b"));
        Task<(int, string, int, string, int)> five = Async.Gather(_ => Task.FromResult(1), _ => Task.FromResult("b"), _ => Task.FromResult(3), _ => Task.FromResult("d"), _ => Task.FromResult(5));
        five.IsCompleted.Should().BeTrue();
        five.Result.Should().Be((1, "b", 3, "d", 5));
    }

    [Fact]
    public async Task Gather_HeterogeneousOperations_AllPendingThenSucceed_ReturnsEachValueInPlace()
    {
        var a = Source<int>();
        var b = Source<string>();
        var c = Source<double>();
        Task<(int, string, double)> three = Async.Gather(_ => a.Task, _ => b.Task, _ => c.Task);
        c.SetResult(2.5);
        a.SetResult(1);
        three.IsCompleted.Should().BeFalse();
        b.SetResult("b");
        (await three.Guard()).Should().Be((1, "b", 2.5));
    }

    [Fact]
    public async Task WaitFor_ColdWithoutTimeout_CallersTokenStillReachesTheOperation()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        Task<int> wait = Async.WaitFor(
            token =>
            {
                seen = token;
                return Task.Delay(Timeout.Infinite, token).ContinueWith(_ => 1, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            },
            Timeout.InfiniteTimeSpan,
            cts.Token);
        seen.CanBeCanceled.Should().BeTrue("the caller's token can cancel the operation");
        cts.Cancel();
        seen.IsCancellationRequested.Should().BeTrue();
        (await wait.Guard()).Should().Be(1, "the operation's own value stands: it ignored its cancellation");
    }

    [Fact]
    public async Task WaitFor_ColdWithoutTimeoutOrToken_RunsTheOperationAsItIs()
    {
        CancellationToken seen = new(true);
        var done = Task.FromResult(7);
        Async.WaitFor(token => { seen = token; return done; }, Timeout.InfiniteTimeSpan).Should().BeSameAs(done);
        seen.CanBeCanceled.Should().BeFalse("nothing can cancel the operation, so it gets a token that never cancels");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Wait_ConditionAlreadyHolds_ReturnsTheSnapshotEvenIfTheTokenIsCanceled()
    {
        var pending = Source();
        Task faulted = Task.FromException(new FormatException());
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var (done, notDone) = await Async.Wait(new[] { pending.Task, faulted }, ReturnWhen.FirstException, cts.Token).Guard();
        done.Should().Equal(faulted);
        notDone.Should().Equal(pending.Task);

        var (done2, _) = await Async.Wait(new[] { faulted, Task.FromException(new FormatException()), pending.Task }, ReturnWhen.FirstException, cts.Token).Guard();
        done2.Should().HaveCount(2);

        var succeeded = Task.CompletedTask;
        await FluentActions.Awaiting(() => Async.Wait(new[] { succeeded, pending.Task }, ReturnWhen.FirstException, cts.Token))
            .Should().ThrowAsync<OperationCanceledException>("no input faulted and not all are done: the canceled token ends the wait");
    }

    [Fact]
    public async Task Wait_WithoutTimeout_CreatesNoTimer()
    {
        var time = new TimerCountingTimeProvider();
        var a = Source();
        using var cts = new CancellationTokenSource();
        Task<WaitResult<Task>> wait = Async.Wait(new[] { a.Task }, ReturnWhen.FirstCompleted, Timeout.InfiniteTimeSpan, time, cts.Token);
        Task<WaitResult<Task>> all = Async.Wait(new[] { a.Task }, ReturnWhen.AllCompleted, Timeout.InfiniteTimeSpan, time, cts.Token);
        time.CreatedTimers.Should().Be(0);
        a.SetResult();
        (await wait.Guard()).Done.Should().Equal(a.Task);
        (await all.Guard()).Done.Should().Equal(a.Task);
    }

    [Fact]
    public async Task AsCompleted_CallersArrayChangedAfterTheCall_EnumeratesWhatWasPassed()
    {
        var tasks = new[] { Task.FromResult(1), Task.FromResult(2) };
        IAsyncEnumerable<Task<int>> sequence = Async.AsCompleted(tasks);
        IAsyncEnumerable<Task<int>> withTimeout = Async.AsCompleted(tasks, TimeSpan.FromSeconds(30));
        tasks[0] = Task.FromResult(99);
        tasks[1] = Task.FromResult(98);

        foreach (IAsyncEnumerable<Task<int>> s in new[] { sequence, withTimeout })
        {
            var seen = new List<int>();
            await foreach (Task<int> t in s)
            {
                seen.Add(t.Result);
            }

            seen.Should().Equal(1, 2);
        }
    }

    [Fact]
    public void Distinct_EveryElementDistinct_ReturnsTheSameArray()
    {
        foreach (int n in new[] { 0, 1, 2, 3, 16, 17, 40, 1000 })
        {
            Task[] items = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource().Task).ToArray();
            TaskCollection.Distinct(items).Should().BeSameAs(items, $"{n} distinct elements need no copy");
        }
    }

    [Fact]
    public void Distinct_Duplicates_KeepsTheFirstOccurrenceOfEachInOrder()
    {
        foreach (int n in new[] { 2, 3, 16, 17, 40, 1000 })
        {
            Task[] distinct = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource().Task).ToArray();
            foreach (int duplicateOf in new[] { 0, n / 2, n - 1 })
            {
                foreach (int insertAt in new[] { 0, n })
                {
                    List<Task> input = distinct.ToList();
                    input.Insert(insertAt, distinct[duplicateOf]);
                    Task[] result = TaskCollection.Distinct(input.ToArray());
                    result.Should().HaveCount(n, $"n={n}, duplicate of {duplicateOf} at {insertAt}");
                    result.Should().Equal(input.Distinct(ReferenceEqualityComparer.Instance), (x, y) => ReferenceEquals(x, y));
                }
            }
        }

        Task same = Task.CompletedTask;
        TaskCollection.Distinct(new[] { same, same }).Should().ContainSingle().Which.Should().BeSameAs(same);
    }

    [Fact]
    public void ToDistinctArray_WaitPartition_IsCopiedWithoutAnotherDuplicateCheck()
    {
        Task[] tasks = Enumerable.Range(0, 40).Select(_ => new TaskCompletionSource().Task).ToArray();
        var partition = new ReadOnlySegment<Task>(tasks, 0, tasks.Length);
        Task[] copy = TaskCollection.ToDistinctArray(partition, "tasks", copy: false);
        copy.Should().NotBeSameAs(tasks).And.Equal(tasks, (x, y) => ReferenceEquals(x, y));
        TaskCollection.ToDistinctArray(ReadOnlySegment<Task>.Empty, "tasks", copy: false).Should().BeSameAs(Array.Empty<Task>());

        // Only Wait makes partitions, and they are distinct by construction: one with a duplicate (which Wait never makes)
        // shows that no second check runs. Any other collection is checked.
        Task[] withDuplicate = tasks.Append(tasks[3]).ToArray();
        TaskCollection.ToDistinctArray(new ReadOnlySegment<Task>(withDuplicate, 0, withDuplicate.Length), "tasks", copy: false).Should().HaveCount(41);
        TaskCollection.ToDistinctArray(withDuplicate.ToList(), "tasks", copy: false).Should().HaveCount(40);
    }

    [Fact]
    public void Distinct_AfterTheCheck_DoesNotKeepTheElementsAlive()
    {
        // On this thread, whose pool cache outlives the call (a dedicated thread's cache would die with it).
        AssertCollectable(Run, "the pooled table must be cleared before it goes back to the pool");

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static WeakReference Run()
        {
            Task[] items = Enumerable.Range(0, 100).Select(_ => new TaskCompletionSource().Task).ToArray();
            TaskCollection.Distinct(items).Should().BeSameAs(items);
            return new WeakReference(items[37]);
        }
    }

    [Theory]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(1000)]
    public void IsDistinct_FindsEveryDuplicate(int n)
    {
        Task[] distinct = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource().Task).ToArray();
        TaskCollection.IsDistinct(distinct).Should().BeTrue();
        foreach (int duplicateOf in new[] { 0, 1, n / 2, n - 1 })
        {
            foreach (int at in new[] { 0, n / 3, n })
            {
                List<Task> input = distinct.ToList();
                input.Insert(at, distinct[duplicateOf]);
                TaskCollection.IsDistinct(input.ToArray()).Should().BeFalse($"a duplicate of {duplicateOf} at {at}");
            }
        }
    }

    [Fact]
    public void Wait_ConditionHoldsAtTheCall_DoneAndPendingInInputOrder()
    {
        var a = Source();
        var c = Source();
        var e = Source();
        Task b = Task.CompletedTask;
        Task d = Task.FromResult(4);
        Task[] tasks = { a.Task, b, c.Task, d, e.Task };
        Task<WaitResult<Task>> wait = Async.Wait(tasks, ReturnWhen.FirstCompleted);
        wait.IsCompleted.Should().BeTrue();
        wait.Result.Done.Should().Equal(b, d);
        wait.Result.Pending.Should().Equal(a.Task, c.Task, e.Task);
        tasks.Should().Equal(new[] { a.Task, b, c.Task, d, e.Task }, "Wait never writes to the caller's array");
        Async.Wait(tasks, ReturnWhen.AllCompleted, TimeSpan.Zero).Result.Done.Should().Equal(b, d);
    }

    [Fact]
    public async Task AsCompleted_InputCompletion_NeverRunsTheConsumerInline()
    {
        // The consumer's loop must not run inside the SetResult call of whoever completes an input.
        var input = new TaskCompletionSource<int>();
        IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { input.Task }, TimeSpan.FromSeconds(30)).GetAsyncEnumerator();
        (await ResumesInside(() => e.MoveNextAsync().AsTask(), () => input.SetResult(1))).Should().BeFalse();
        e.Current.Should().BeSameAs(input.Task);
        await e.DisposeAsync();
    }

    [Fact]
    public void ArgumentErrors_Messages_SayWhatIsWrong()
    {
        Call(() => Async.Gather(new Task<int>[] { null! })).Should().Throw<ArgumentException>().WithMessage("The collection must not contain null elements.*");
        Call(() => Async.Wait(Array.Empty<Task>())).Should().Throw<ArgumentException>().WithMessage("The collection must contain at least one element.*");
        Call(() => Async.WaitFor(Task.CompletedTask, TimeSpan.FromSeconds(-2))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("The timeout must be Timeout.InfiniteTimeSpan or between zero and UInt32.MaxValue - 1 milliseconds.*");
    }
}
