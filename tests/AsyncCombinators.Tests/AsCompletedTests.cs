using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class AsCompletedTests
{
    [Fact]
    public async Task AsCompleted_PendingTasks_YieldsTheOriginalTasksInCompletionOrder()
    {
        var sources = Enumerable.Range(0, 4).Select(_ => Source<int>()).ToArray();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(sources.Select(s => s.Task)).GetAsyncEnumerator();

        foreach (int i in new[] { 2, 0, 3, 1 })
        {
            ValueTask<bool> next = e.MoveNextAsync();
            next.IsCompleted.Should().BeFalse("nothing has completed yet");
            sources[i].SetResult(i);
            (await next.AsTask().Guard()).Should().BeTrue();
            e.Current.Should().BeSameAs(sources[i].Task);
            e.Current.IsCompleted.Should().BeTrue();
        }

        (await e.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task AsCompleted_CompletedWhileNotAsking_QueuedInCompletionOrder()
    {
        // Synchronous continuations: the library observes each completion inside SetResult, so the order is exact.
        var sources = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>()).ToArray();
        IAsyncEnumerable<Task<int>> sequence = Async.AsCompleted(sources.Select(s => s.Task));
        await using IAsyncEnumerator<Task<int>> e = sequence.GetAsyncEnumerator();
        sources[1].SetResult(1);
        sources[2].SetResult(2);
        sources[0].SetResult(0);

        var order = new List<Task<int>>();
        while (await e.MoveNextAsync().AsTask().Guard())
        {
            order.Add(e.Current);
        }

        order.Should().Equal(sources[1].Task, sources[2].Task, sources[0].Task);
    }

    [Fact]
    public async Task AsCompleted_AlreadyCompleteInputs_FirstInInputOrder()
    {
        var pending = Source<int>();
        Task<int> a = Task.FromResult(1);
        Task<int> b = Faulted<int>("b");
        var yielded = new List<Task<int>>();
        Task consume = Consume();
        pending.SetResult(3);
        await consume.Guard();

        yielded.Should().Equal(a, b, pending.Task);

        async Task Consume()
        {
            await foreach (Task<int> t in Async.AsCompleted(new[] { a, pending.Task, b }))
            {
                yielded.Add(t);
            }
        }
    }

    [Fact]
    public async Task AsCompleted_FaultedAndCanceled_YieldedWithoutThrowing()
    {
        var a = Source<int>();
        var b = Source<int>();
        var yielded = new List<Task<int>>();
        Task consume = Consume();
        a.SetException(new FormatException());
        b.SetCanceled();
        await consume.Guard();

        // Both completions' continuations run asynchronously (the sources say so), so either may be observed first.
        yielded.Should().HaveCount(2).And.Contain(a.Task).And.Contain(b.Task);
        a.Task.IsFaulted.Should().BeTrue();
        b.Task.IsCanceled.Should().BeTrue();

        async Task Consume()
        {
            await foreach (Task<int> t in Async.AsCompleted(new[] { a.Task, b.Task }))
            {
                yielded.Add(t);
            }
        }
    }

    [Fact]
    public async Task AsCompleted_Duplicates_EachDistinctTaskOnce()
    {
        var a = Source<int>();
        Task<int> b = Task.FromResult(2);
        a.SetResult(1);
        (await Async.AsCompleted(new[] { a.Task, b, a.Task, b, a.Task }).Drain()).Should().Equal(a.Task, b);
    }

    [Fact]
    public async Task AsCompleted_Empty_YieldsNothing()
    {
        (await Async.AsCompleted(Array.Empty<Task<int>>()).Drain()).Should().BeEmpty();
        (await Async.AsCompleted(Array.Empty<Task>(), TimeSpan.FromSeconds(1)).Drain()).Should().BeEmpty();
    }

    [Fact]
    public async Task AsCompleted_Timeout_YieldsWhatCompletedBeforeDeadlineThenThrowsTimeout()
    {
        var time = new TimerCountingTimeProvider();
        var a = Source<int>();
        var b = Source<int>();
        var never = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { a.Task, b.Task, never.Task }, TimeSpan.FromSeconds(10), time, CancellationToken.None).GetAsyncEnumerator();

        a.SetResult(1);
        time.Advance(TimeSpan.FromSeconds(5));
        b.SetResult(2);
        time.Advance(TimeSpan.FromSeconds(5));

        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(a.Task);
        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(b.Task);
        await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowAsync<TimeoutException>();
        never.Task.IsCompleted.Should().BeFalse("pending tasks are not cancelled");
        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task AsCompleted_TimeoutWhileWaiting_MoveNextThrowsTimeout()
    {
        var time = new FakeTimeProvider();
        var never = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { never.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        next.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => next.AsTask().Guard()).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task AsCompleted_TaskHandedToWaitingConsumerThenTimeout_NotYieldedTwice()
    {
        var time = new FakeTimeProvider();
        var fast = Source<int>();
        var slow = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { fast.Task, slow.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        fast.SetResult(1);
        (await next.AsTask().Guard()).Should().BeTrue();
        e.Current.Should().BeSameAs(fast.Task);

        ValueTask<bool> afterDeadline = e.MoveNextAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        await FluentActions.Awaiting(() => afterDeadline.AsTask().Guard()).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task AsCompleted_Timeout_MeasuredFromGetAsyncEnumerator_EachEnumerationIndependent()
    {
        var time = new FakeTimeProvider();
        var a = Source<int>();
        IAsyncEnumerable<Task<int>> sequence = Async.AsCompleted(new[] { a.Task }, TimeSpan.FromSeconds(10), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(30)); // before enumeration: does not count
        await using IAsyncEnumerator<Task<int>> first = sequence.GetAsyncEnumerator();
        time.Advance(TimeSpan.FromSeconds(9));
        ValueTask<bool> next = first.MoveNextAsync();
        next.IsCompleted.Should().BeFalse();
        a.SetResult(1);
        (await next.AsTask().Guard()).Should().BeTrue();

        await using IAsyncEnumerator<Task<int>> second = sequence.GetAsyncEnumerator();
        (await second.MoveNextAsync()).Should().BeTrue();
        second.Current.Should().BeSameAs(a.Task);
        (await second.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task AsCompleted_NullOrInfiniteTimeout_NoLimit()
    {
        var time = new TimerCountingTimeProvider();
        var a = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { a.Task }, null, time, CancellationToken.None).GetAsyncEnumerator();
        await using IAsyncEnumerator<Task<int>> e2 = Async.AsCompleted(new[] { a.Task }, Timeout.InfiniteTimeSpan, time, CancellationToken.None).GetAsyncEnumerator();
        time.Advance(TimeSpan.FromDays(365));
        time.CreatedTimers.Should().Be(0);
        a.SetResult(1);
        (await e.MoveNextAsync()).Should().BeTrue();
        (await e2.MoveNextAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task AsCompleted_Canceled_MoveNextThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var a = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { a.Task }, cts.Token).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        cts.Cancel();
        await FluentActions.Awaiting(() => next.AsTask().Guard()).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowAsync<OperationCanceledException>();
        a.Task.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task AsCompleted_Canceled_WaitingAndLaterMoveNextThrowTheSameExceptionType()
    {
        using var cts = new CancellationTokenSource();
        var a = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { a.Task }, cts.Token).GetAsyncEnumerator();
        ValueTask<bool> waiting = e.MoveNextAsync();
        cts.Cancel();
        (await FluentActions.Awaiting(() => waiting.AsTask().Guard()).Should().ThrowExactlyAsync<OperationCanceledException>())
            .Which.CancellationToken.Should().Be(cts.Token);
        ValueTask<bool> later = e.MoveNextAsync();
        later.IsCanceled.Should().BeTrue();
        (await FluentActions.Awaiting(async () => await later).Should().ThrowExactlyAsync<OperationCanceledException>())
            .Which.CancellationToken.Should().Be(cts.Token);
    }

    [Fact]
    public async Task AsCompleted_CallAndEnumeratorTokens_OperationCanceledCarriesTheOneThatCanceled()
    {
        using var call = new CancellationTokenSource();
        using var enumeration = new CancellationTokenSource();
        var a = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { a.Task }, call.Token).GetAsyncEnumerator(enumeration.Token);
        ValueTask<bool> waiting = e.MoveNextAsync();

        enumeration.Cancel();

        (await FluentActions.Awaiting(() => waiting.AsTask().Guard()).Should().ThrowExactlyAsync<OperationCanceledException>())
            .Which.CancellationToken.Should().Be(enumeration.Token);
        call.Cancel();
        (await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowExactlyAsync<OperationCanceledException>())
            .Which.CancellationToken.Should().Be(enumeration.Token, "the enumeration ended through the first cancellation");
    }

    [Fact]
    public async Task AsCompleted_WithCancellation_MoveNextThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var a = Source<int>();
        var b = Source<int>();
        var yielded = new List<Task<int>>();

        Func<Task> consume = async () =>
        {
            await foreach (var t in Async.AsCompleted(new[] { a.Task, b.Task }).WithCancellation(cts.Token))
            {
                yielded.Add(t);
                cts.Cancel();
            }
        };

        a.SetResult(1);
        await consume.Should().ThrowAsync<OperationCanceledException>();
        yielded.Should().Equal(a.Task);
    }

    [Fact]
    public async Task AsCompleted_TokenAlreadyCanceled_ThrowsAtFirstMoveNext()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await using IAsyncEnumerator<Task> e = Async.AsCompleted(new Task[] { Task.CompletedTask }, null, cts.Token).GetAsyncEnumerator();
        await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void AsCompleted_InvalidArguments_ThrowAtTheCallNotAtEnumeration()
    {
        Call(() => Async.AsCompleted((IEnumerable<Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.AsCompleted((IEnumerable<Task>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.AsCompleted(new Task<int>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.AsCompleted(Lazy<Task>(Task.CompletedTask, null!))).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.AsCompleted(new[] { Task.FromResult(1) }, TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.AsCompleted(new[] { Task.FromResult(1) }, TimeSpan.FromSeconds(1), null!, default)).Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
    }

    [Fact]
    public async Task AsCompleted_LazySequence_EnumeratedOnceAtTheCall()
    {
        var sequence = new CountingEnumerable<Task<int>>(new[] { Task.FromResult(1), Task.FromResult(2) });
        IAsyncEnumerable<Task<int>> completed = Async.AsCompleted(sequence);
        sequence.Enumerations.Should().Be(1);
        int n = 0;
        await foreach (Task<int> _ in completed)
        {
            n++;
        }

        await foreach (Task<int> _ in completed)
        {
            n++;
        }

        n.Should().Be(4);
        sequence.Enumerations.Should().Be(1);
    }

    [Fact]
    public async Task AsCompleted_Untyped_AllShapes()
    {
        var a = Source();
        using var cts = new CancellationTokenSource();
        a.SetResult();
        await foreach (Task t in Async.AsCompleted(new Task[] { a.Task }))
        {
            t.Should().BeSameAs(a.Task);
        }

        await foreach (Task t in Async.AsCompleted(new Task[] { a.Task }, TimeSpan.FromSeconds(5)))
        {
            t.Should().BeSameAs(a.Task);
        }

        await foreach (Task t in Async.AsCompleted(new Task[] { a.Task }, TimeSpan.FromSeconds(5), cts.Token))
        {
            t.Should().BeSameAs(a.Task);
        }

        await foreach (Task t in Async.AsCompleted(new Task[] { a.Task }, cts.Token))
        {
            t.Should().BeSameAs(a.Task);
        }

        await foreach (Task<int> t in Async.AsCompleted(new[] { Task.FromResult(1) }, TimeSpan.FromSeconds(1)))
        {
            (await t).Should().Be(1);
        }

        await foreach (Task<int> t in Async.AsCompleted(new[] { Task.FromResult(1) }, TimeSpan.FromSeconds(1), cts.Token))
        {
            (await t).Should().Be(1);
        }
    }

    [Fact]
    public async Task AsCompleted_TenThousandCompletedConcurrently_EachYieldedExactlyOnce()
    {
        const int n = 10_000;
        var sources = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var seen = new HashSet<Task<int>>();
        Task consume = Consume();
        Parallel.For(0, n, i => sources[i].SetResult(i));
        await consume.Guard();
        seen.Should().HaveCount(n);

        async Task Consume()
        {
            await foreach (Task<int> t in Async.AsCompleted(sources.Select(s => s.Task), TimeSpan.FromMinutes(5)))
            {
                seen.Add(t).Should().BeTrue();
            }
        }
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("cancel")]
    [InlineData("dispose")]
    public void AsCompleted_EnumerationEnded_NothingStaysAttachedToANeverCompletingInput(string how)
    {
        var never = Source<int>();
        var time = new FakeTimeProvider();
        WeakReference reference = WithoutSynchronizationContext(() => StartAndEnd(never.Task, time, how));

        AssertCollectable(() => reference, "AsCompleted must remove everything it attached to an input that never completes");
        GC.KeepAlive(never);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference StartAndEnd(Task<int> never, FakeTimeProvider time, string how)
        {
            using var cts = new CancellationTokenSource();
            IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { never }, TimeSpan.FromSeconds(1), time, cts.Token).GetAsyncEnumerator();
            ValueTask<bool> next = e.MoveNextAsync();
            switch (how)
            {
                case "timeout":
                    time.Advance(TimeSpan.FromSeconds(1));
                    break;
                case "cancel":
                    cts.Cancel();
                    break;
                default:
                    e.DisposeAsync().AsTask().Wait();
                    break;
            }

            Assert.True(next.IsCompleted || how == "dispose");
            return new WeakReference(e);
        }
    }

    [Fact]
    public async Task AsCompleted_ZeroTimeout_YieldsWhatIsCompleteThenTimesOut()
    {
        var time = new TimerCountingTimeProvider();
        Task<int> done = Task.FromResult(1);
        var pending = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { pending.Task, done }, TimeSpan.Zero, time, CancellationToken.None).GetAsyncEnumerator();
        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(done);
        await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowAsync<TimeoutException>();
        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task AsCompleted_DisposedWhileWaiting_MoveNextReturnsFalse_AndAfterDisposalToo()
    {
        using var cts = new CancellationTokenSource();
        var pending = Source<int>();
        IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { pending.Task }, cts.Token).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        await e.DisposeAsync();
        (await next.AsTask().Guard()).Should().BeFalse();
        (await e.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task AsCompleted_AllYieldedWithoutDisposal_TimerReleased()
    {
        var time = new TimerCountingTimeProvider();
        var pending = Source<int>();
        IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { pending.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        pending.SetResult(1);
        (await next.AsTask().Guard()).Should().BeTrue();
        (await e.MoveNextAsync()).Should().BeFalse();
        time.ActiveTimers.Should().Be(0, "an enumeration that has yielded everything has ended");
    }

    [Fact]
    public async Task AsCompleted_AllCompleteAtStartWithTimeout_NoTimerYieldsAll()
    {
        var time = new TimerCountingTimeProvider();
        var tasks = new[] { Task.FromResult(1), Task.FromResult(2) };
        var seen = new List<Task<int>>();
        await foreach (Task<int> t in Async.AsCompleted(tasks, TimeSpan.FromSeconds(1), time, CancellationToken.None))
        {
            seen.Add(t);
        }

        seen.Should().Equal(tasks);
        time.CreatedTimers.Should().Be(0);
    }

    [Fact]
    public async Task AsCompleted_TimeoutAfterEverythingWasQueued_StillYieldsAll()
    {
        var time = new FakeTimeProvider();
        var a = new TaskCompletionSource<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { a.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
        a.SetResult(1);
        time.Advance(TimeSpan.FromSeconds(1));
        (await e.MoveNextAsync()).Should().BeTrue();
        (await e.MoveNextAsync()).Should().BeFalse();
    }
}
