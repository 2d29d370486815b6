using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class GatherTests
{
    /// <summary>How many consecutive pending inputs share one watcher; the tests below cross its boundaries.</summary>
    private const int Group = AsyncCombinators.Internal.GatherTasksPromise<int>.GroupSize;

    [Fact]
    public async Task Gather_CompletionOrderReversed_ResultsInInputOrder()
    {
        var sources = Enumerable.Range(0, 5).Select(_ => Source<int>()).ToArray();
        Task<int[]> gather = Async.Gather(sources.Select(s => s.Task));

        for (int i = sources.Length - 1; i >= 0; i--)
        {
            gather.IsCompleted.Should().BeFalse();
            sources[i].SetResult(i * 10);
        }

        (await gather.Guard()).Should().Equal(0, 10, 20, 30, 40);
    }

    [Fact]
    public void Gather_Empty_CachedCompletedTaskWithEmptyArray()
    {
        Task<int[]> first = Async.Gather(Array.Empty<Task<int>>());
        Task<int[]> second = Async.Gather(new List<Task<int>>());

        first.IsCompletedSuccessfully.Should().BeTrue();
        first.Result.Should().BeEmpty();
        second.Should().BeSameAs(first);
        Async.Gather(Array.Empty<Task>()).IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public void Gather_AllAlreadyComplete_CompletesSynchronously()
    {
        Task<int[]> gather = Async.Gather(new[] { Task.FromResult(1), Task.FromResult(2) });

        gather.IsCompletedSuccessfully.Should().BeTrue();
        gather.Result.Should().Equal(1, 2);
        Async.Gather(new Task[] { Task.CompletedTask, Task.FromResult(3) }).IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Gather_OneFaultsWhileOthersPending_FailsFastWithThatException()
    {
        var slow = Source<int>();
        var failing = Source<int>();
        var error = new FormatException("first");
        Task<int[]> gather = Async.Gather(new[] { slow.Task, failing.Task });

        failing.SetException(error);

        (await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>()).Which.Should().BeSameAs(error);
        slow.Task.IsCompleted.Should().BeFalse("Gather fails fast, like asyncio and unlike Task.WhenAll");
        gather.Exception!.InnerExceptions.Should().ContainSingle().Which.Should().BeSameAs(error);
        slow.SetResult(1);
    }

    [Fact]
    public void Gather_TwoFailures_FirstByCompletionTimeWins()
    {
        // Synchronous continuations on a plain thread: each failure is observed inside SetException, in that order.
        Exception first = WithoutSynchronizationContext(() =>
        {
            var a = new TaskCompletionSource<int>();
            var b = new TaskCompletionSource<int>();
            Task<int[]> gather = Async.Gather(new[] { a.Task, b.Task });
            b.SetException(new FormatException("b failed first"));
            a.SetException(new InvalidOperationException("a failed later"));
            return gather.Exception!.InnerException!;
        });

        first.Should().BeOfType<FormatException>().Which.Message.Should().Be("b failed first");
    }

    [Fact]
    public async Task Gather_AlreadyFailedInputs_ExaminedInInputOrder()
    {
        Task<int>[] tasks = { Task.FromResult(0), Faulted<int>("second"), Faulted<int>("third") };

        Task<int[]> gather = Async.Gather(tasks);

        gather.IsFaulted.Should().BeTrue();
        await FluentActions.Awaiting(() => gather).Should().ThrowAsync<InvalidOperationException>().WithMessage("second");
    }

    [Fact]
    public async Task Gather_InputCanceled_ReturnedTaskCanceled()
    {
        var pending = Source<int>();
        var canceled = Source<int>();
        Task<int[]> gather = Async.Gather(new[] { pending.Task, canceled.Task });

        canceled.SetCanceled();

        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<OperationCanceledException>();
        gather.IsCanceled.Should().BeTrue();
        pending.Task.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task Gather_SeveralExceptionsInOneInput_FirstInnerException()
    {
        var tcs = Source<int>();
        var first = new FormatException("first");
        Task<int[]> gather = Async.Gather(new[] { tcs.Task, Source<int>().Task });

        tcs.SetException(new Exception[] { first, new InvalidOperationException("second") });

        (await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>()).Which.Should().BeSameAs(first);
    }

    [Fact]
    public async Task Gather_LaterFailuresAfterFailFast_AreObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await FailFastThenFailLater(monitor);

        monitor.CollectAndGetSeen().Should().BeEmpty("Gather observes the exceptions of inputs that fail after it failed fast");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task FailFastThenFailLater(UnobservedExceptionMonitor monitor)
        {
            var first = Source<int>();
            var later = Source<int>();
            Task<int[]> gather = Async.Gather(new[] { first.Task, later.Task, Task.FromException<int>(monitor.NewException()) });
            await gather.WhenSettled();
            gather.IsFaulted.Should().BeTrue();
            _ = gather.Exception;
            first.SetException(monitor.NewException());
            later.SetException(monitor.NewException());
            await first.Task.WhenSettled();
            await later.Task.WhenSettled();
        }
    }

    [Fact]
    public async Task Gather_SameTaskTwice_AppearsTwice()
    {
        var tcs = Source<int>();
        Task<int[]> gather = Async.Gather(new[] { tcs.Task, Task.FromResult(2), tcs.Task });

        tcs.SetResult(7);

        (await gather.Guard()).Should().Equal(7, 2, 7);
    }

    [Fact]
    public async Task Gather_CancellationToken_CancelsWaitingPromptlyAndInputsRunOn()
    {
        using var cts = new CancellationTokenSource();
        var input = Source<int>();
        Task<int[]> gather = Async.Gather(new[] { input.Task }, cts.Token);

        cts.Cancel();

        (await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<OperationCanceledException>())
            .Which.CancellationToken.Should().Be(cts.Token);
        input.Task.IsCompleted.Should().BeFalse();
        input.SetResult(1);
    }

    [Fact]
    public async Task Gather_TokenAlreadyCanceled_CanceledUnlessAllComplete()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Task<int[]> gather = Async.Gather(new[] { Source<int>().Task }, cts.Token);
        gather.IsCanceled.Should().BeTrue();
        await FluentActions.Awaiting(() => gather).Should().ThrowAsync<OperationCanceledException>();

        Async.Gather(new[] { Task.FromResult(1) }, cts.Token).Result.Should().Equal(1);
        Async.Gather(new Task[] { Source().Task }, cts.Token).IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void Gather_InvalidArguments_ThrowAtTheCall()
    {
        Call(() => Async.Gather((IEnumerable<Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.Gather((IEnumerable<Task>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.Gather(new[] { Task.FromResult(1), null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.Gather(new Task[] { null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.Gather(Lazy<Task<int>>(Source<int>().Task, null!))).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.Gather(new List<Task<int>> { null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
    }

    [Fact]
    public async Task Gather_LazySequence_EnumeratedExactlyOnce()
    {
        var tcs = Source<int>();
        var sequence = new CountingEnumerable<Task<int>>(new[] { tcs.Task, Task.FromResult(2) });

        Task<int[]> gather = Async.Gather(sequence);
        tcs.SetResult(1);

        (await gather.Guard()).Should().Equal(1, 2);
        sequence.Enumerations.Should().Be(1);
    }

    [Fact]
    public async Task Gather_InputsCompletingDuringTheCall_AllCounted()
    {
        var sources = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource<int>()).ToArray();

        IEnumerable<Task<int>> CompletingWhileEnumerated()
        {
            for (int i = 0; i < sources.Length; i++)
            {
                yield return sources[i].Task;
                sources[i].SetResult(i); // completes synchronously, inline, before the next element
            }
        }

        (await Async.Gather(CompletingWhileEnumerated()).Guard()).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public async Task Gather_InputsCompletingSynchronouslyAfterRegistration_Counted()
    {
        var sources = Enumerable.Range(0, 100).Select(_ => new TaskCompletionSource<int>()).ToArray();
        Task<int[]> gather = Async.Gather(sources.Select(s => s.Task).ToArray());

        foreach (var (source, i) in sources.Select((s, i) => (s, i)))
        {
            source.SetResult(i); // continuations run inline on this thread
        }

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, 100));
    }

    [Fact]
    public async Task Gather_TenThousandInputsCompletedConcurrently_AllResults()
    {
        const int n = 10_000;
        var sources = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource<int>()).ToArray();
        Task<int[]> gather = Async.Gather(sources.Select(s => s.Task));

        Parallel.For(0, n, i => sources[i].SetResult(i));

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, n));
    }

    [Fact]
    public async Task Gather_Untyped_WaitsForAllAndFailsFast()
    {
        var a = Source();
        var b = Source();
        Task gather = Async.Gather(new Task[] { a.Task, b.Task });
        a.SetResult();
        gather.IsCompleted.Should().BeFalse();
        b.SetResult();
        await gather.Guard();

        var c = Source();
        Task failing = Async.Gather(new Task[] { c.Task, Task.FromException(new FormatException()) });
        await FluentActions.Awaiting(() => failing.Guard()).Should().ThrowAsync<FormatException>();
        c.Task.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task Gather_Untyped_CancellationToken()
    {
        using var cts = new CancellationTokenSource();
        Task gather = Async.Gather(new Task[] { Source().Task }, cts.Token);
        cts.Cancel();
        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Gather_Heterogeneous_AllAritiesReturnTuples()
    {
        var user = Source<string>();
        Task<(string, int)> pair = Async.Gather(user.Task, Task.FromResult(3));
        user.SetResult("ada");
        var (name, count) = await pair.Guard();
        name.Should().Be("ada");
        count.Should().Be(3);

        (await Async.Gather(Task.FromResult(1), Task.FromResult("b"), Task.FromResult(3.0))).Should().Be((1, "b", 3.0));
        (await Async.Gather(Task.FromResult(1), Task.FromResult(2), Task.FromResult(3), Task.FromResult(4))).Should().Be((1, 2, 3, 4));
        (await Async.Gather(Task.FromResult(1), Task.FromResult(2), Task.FromResult(3), Task.FromResult(4), Task.FromResult('e'))).Should().Be((1, 2, 3, 4, 'e'));
        Async.Gather(Task.FromResult(1), Task.FromResult(2)).IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Gather_Heterogeneous_FailsFastAndCancels()
    {
        var slow = Source<string>();
        var failing = Source<int>();
        var t2 = Async.Gather(slow.Task, failing.Task);
        var t3 = Async.Gather(slow.Task, failing.Task, Source<int>().Task);
        var t4 = Async.Gather(slow.Task, failing.Task, Source<int>().Task, Source<int>().Task);
        var t5 = Async.Gather(slow.Task, failing.Task, Source<int>().Task, Source<int>().Task, Source<int>().Task);
        failing.SetException(new FormatException());

        await FluentActions.Awaiting(() => t2.Guard()).Should().ThrowAsync<FormatException>();
        await FluentActions.Awaiting(() => t3.Guard()).Should().ThrowAsync<FormatException>();
        await FluentActions.Awaiting(() => t4.Guard()).Should().ThrowAsync<FormatException>();
        await FluentActions.Awaiting(() => t5.Guard()).Should().ThrowAsync<FormatException>();

        var canceled = Async.Gather(Source<int>().Task, Canceled<int>());
        await FluentActions.Awaiting(() => canceled.Guard()).Should().ThrowAsync<OperationCanceledException>();
        canceled.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void Gather_Heterogeneous_NullArguments_ThrowWithParameterName()
    {
        Task<int> t = Task.FromResult(1);
        Call(() => Async.Gather(t, (Task<int>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("task2");
        Call(() => Async.Gather((Task<int>)null!, t, t)).Should().Throw<ArgumentNullException>().WithParameterName("task1");
        Call(() => Async.Gather(t, t, t, (Task<int>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("task4");
        Call(() => Async.Gather(t, t, t, t, (Task<int>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("task5");
    }

    [Fact]
    public async Task Gather_Heterogeneous_EachArityWaitsForItsLastPendingInput()
    {
        var last = Source<int>();
        Task<int> one = Task.FromResult(1);
        var t2 = Async.Gather(one, last.Task);
        var t3 = Async.Gather(one, one, last.Task);
        var t4 = Async.Gather(one, one, one, last.Task);
        var t5 = Async.Gather(one, one, one, one, last.Task);
        var first3 = Async.Gather(last.Task, one, one);
        var first5 = Async.Gather(last.Task, one, one, one, one);
        new Task[] { t2, t3, t4, t5, first3, first5 }.Should().OnlyContain(t => !t.IsCompleted);

        last.SetResult(9);

        (await t2.Guard()).Should().Be((1, 9));
        (await t3.Guard()).Should().Be((1, 1, 9));
        (await t4.Guard()).Should().Be((1, 1, 1, 9));
        (await t5.Guard()).Should().Be((1, 1, 1, 1, 9));
        (await first3.Guard()).Should().Be((9, 1, 1));
        (await first5.Guard()).Should().Be((9, 1, 1, 1, 1));
    }

    [Fact]
    public void Gather_WithToken_InputsCompleteFirst_NothingLeftOnTheToken()
    {
        using var cts = new CancellationTokenSource();
        WeakReference reference = WithoutSynchronizationContext(() => Run(cts.Token));
        AssertCollectable(() => reference, "Gather must release its registration on the caller's token when it completes");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference Run(CancellationToken token)
        {
            var a = new TaskCompletionSource<int>();
            var b = new TaskCompletionSource<int>();
            Task<int[]> gather = Async.Gather(new[] { a.Task, b.Task }, token);
            var c = new TaskCompletionSource<int>();
            Task<Outcome<int>[]> outcomes = Async.GatherOutcomes(new[] { c.Task }, token);
            a.SetResult(1);
            c.SetResult(1);
            b.SetException(new FormatException());
            Assert.True(gather.IsFaulted, $"gather {gather.Status}");
            Assert.True(outcomes.IsCompletedSuccessfully, $"outcomes {outcomes.Status}");
            _ = gather.Exception;
            return new WeakReference(gather);
        }
    }

    // Pending inputs are watched in groups of consecutive inputs behind one delegate (GatherTasksPromise.GroupSize); these
    // tests cross the group boundaries, start the watching at different inputs, and complete inputs out of order.
    [Theory]
    [InlineData(1, 0, false)]
    [InlineData(Group - 1, 0, false)]
    [InlineData(Group, 0, true)]
    [InlineData(Group + 1, 3, false)]
    [InlineData(2 * Group, Group, true)]
    [InlineData(2 * Group + 1, Group + 1, false)]
    [InlineData(4 * Group + 1, 2 * Group, true)]
    [InlineData(100, 50, false)]
    [InlineData(100, 0, true)]
    public async Task Gather_PendingAcrossGroups_ReverseCompletion_ResultsInInputOrder(int n, int leadingComplete, bool asList)
    {
        // The first leadingComplete inputs and every third input after them are complete at the call.
        var sources = new TaskCompletionSource<int>?[n];
        var tasks = new Task<int>[n];
        for (int i = 0; i < n; i++)
        {
            if (i < leadingComplete || i % 3 == 0)
            {
                tasks[i] = Task.FromResult(i * 7);
            }
            else
            {
                sources[i] = Source<int>();
                tasks[i] = sources[i]!.Task;
            }
        }

        Task<int[]> gather = asList ? Async.Gather(tasks.ToList()) : Async.Gather(tasks);
        for (int i = n - 1; i >= 0; i--)
        {
            if (sources[i] is { } source)
            {
                await Task.Yield();
                gather.IsCompleted.Should().BeFalse("input {0} is still pending", i);
                source.SetResult(i * 7);
            }
        }

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, n).Select(i => i * 7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Gather_CallersArrayChangedAfterTheCall_GathersTheOriginalInputs(int pendingInFirstGroup)
    {
        // Of the first group's inputs, pendingInFirstGroup are pending (input 5 alone, or with 0 and 1 in a group); the
        // twelve inputs after it are pending, so groups after the first one read a copy of the rest of the array.
        var sources = Enumerable.Range(0, Group + 12).Select(_ => Source<int>()).ToArray();
        Task<int>[] tasks = sources.Select((s, i) => i >= Group || i < pendingInFirstGroup - 1 || i == 5 ? s.Task : Task.FromResult(i)).ToArray();
        Task<int>[] originals = (Task<int>[])tasks.Clone();
        Task<int[]> gather = Async.Gather(tasks);

        // A group reads its inputs again when one of them completes: not from the caller's array, which may change. It is
        // refilled with a failed task, which a group reading it would find complete and report at once.
        Array.Fill(tasks, Task.FromException<int>(new InvalidOperationException("not an input of this call")));
        for (int i = 0; i < sources.Length; i++)
        {
            if (!originals[i].IsCompleted)
            {
                sources[i].SetResult(i);
            }
        }

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, Group + 12));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Gather_NonGeneric_CallersArrayChangedAfterTheCall_GathersTheOriginalInputs(int pendingInFirstGroup)
    {
        // As above, without results.
        var sources = Enumerable.Range(0, Group + 12).Select(_ => Source()).ToArray();
        Task[] tasks = sources.Select((s, i) => i >= Group || i < pendingInFirstGroup - 1 || i == 5 ? s.Task : Task.CompletedTask).ToArray();
        Task[] originals = (Task[])tasks.Clone();
        Task gather = Async.Gather(tasks);

        Array.Fill(tasks, Task.FromException(new InvalidOperationException("not an input of this call")));
        for (int i = 0; i < sources.Length; i++)
        {
            if (!originals[i].IsCompleted)
            {
                sources[i].SetResult();
            }
        }

        await gather.Guard();
        gather.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gather_InputCompletedInsideAnotherInputsCompletion_CountedOnce(bool fail)
    {
        // a's first continuation completes b inline, so b's group run finds a complete before a's own run: a is claimed
        // by b's run and a's run finds nothing new. Counting a twice would complete the gather before c.
        (bool CompleteBeforeC, int[]? Results, Exception? Error) outcome = WithoutSynchronizationContext(() =>
        {
            var a = new TaskCompletionSource<int>();
            var b = new TaskCompletionSource<int>();
            var c = new TaskCompletionSource<int>();
            _ = a.Task.ContinueWith(
                _ =>
                {
                    if (fail)
                    {
                        b.SetException(new FormatException("b"));
                    }
                    else
                    {
                        b.SetResult(2);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            Task<int[]> gather = Async.Gather(new[] { a.Task, b.Task, c.Task });

            if (fail)
            {
                a.SetException(new InvalidOperationException("a"));
            }
            else
            {
                a.SetResult(1);
            }

            bool completeBeforeC = gather.IsCompleted;
            c.SetResult(3);
            SpinWait.SpinUntil(() => gather.IsCompleted, TimeSpan.FromSeconds(30));
            return (completeBeforeC, gather.IsCompletedSuccessfully ? gather.Result : null, gather.Exception?.InnerException);
        });

        if (fail)
        {
            outcome.CompleteBeforeC.Should().BeTrue("Gather fails fast");
            outcome.Error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("a");
        }
        else
        {
            outcome.CompleteBeforeC.Should().BeFalse("c is still pending");
            outcome.Results.Should().Equal(1, 2, 3);
        }
    }

    [Fact]
    public async Task Gather_InputsPendingAloneInTheirGroups_ResultsInInputOrder()
    {
        // Only inputs 0 and 11 are pending: each is alone in its group (the second at its fourth place) and watched on its own.
        var first = Source<int>();
        var second = Source<int>();
        Task<int>[] tasks = Enumerable.Range(0, 16).Select(i => i switch { 0 => first.Task, 11 => second.Task, _ => Task.FromResult(i) }).ToArray();
        Task<int[]> gather = Async.Gather(tasks);

        second.SetResult(11);
        await second.Task;
        gather.IsCompleted.Should().BeFalse();
        first.SetResult(0);

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, 16));
    }

    [Fact]
    public async Task Gather_SameTaskTwicePending_InOneGroupAndAcrossGroups_AppearsEachTime()
    {
        var t = Source<int>();
        var u = Source<int>();
        Task<int>[] tasks = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? t.Task : u.Task).ToArray();
        Task<int[]> gather = Async.Gather(tasks);

        t.SetResult(1);
        await t.Task;
        gather.IsCompleted.Should().BeFalse();
        u.SetResult(2);

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 1 : 2));
    }
}
