using System.Runtime.CompilerServices;
using AsyncCombinators.Internal;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class WaitTests
{
    [Fact]
    public async Task Wait_AllCompleted_ReturnsWhenEveryInputCompleted_NeverThrows()
    {
        var a = Source<int>();
        var b = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task, b.Task });

        b.SetException(new FormatException());
        await Task.Yield();
        wait.IsCompleted.Should().BeFalse();
        a.SetCanceled();

        WaitResult<Task<int>> result = await wait.Guard();
        result.Done.Should().BeEquivalentTo(new[] { a.Task, b.Task }, o => o.WithStrictOrdering());
        result.Pending.Should().BeEmpty();
    }

    [Fact]
    public async Task Wait_FirstCompleted_ReturnsWithTheCompletedOneDone()
    {
        var a = Source<int>();
        var b = Source<int>();
        var c = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task, b.Task, c.Task }, ReturnWhen.FirstCompleted);

        b.SetException(new FormatException());

        var (done, pending) = await wait.Guard();
        done.Should().Equal(b.Task);
        pending.Should().Equal(a.Task, c.Task);
    }

    [Fact]
    public async Task Wait_FirstException_ReturnsOnFaultButNotOnCancel()
    {
        var a = Source<int>();
        var b = Source<int>();
        var c = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task, b.Task, c.Task }, ReturnWhen.FirstException);

        a.SetCanceled();
        await Task.Yield();
        wait.IsCompleted.Should().BeFalse("a canceled input does not count as an exception");
        c.SetException(new FormatException());

        var (done, pending) = await wait.Guard();
        done.Should().Equal(a.Task, c.Task);
        pending.Should().Equal(b.Task);
    }

    [Fact]
    public async Task Wait_FirstExceptionWithoutFault_BehavesAsAllCompleted()
    {
        var a = Source<int>();
        var b = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.FirstException);
        a.SetResult(1);
        await Task.Yield();
        wait.IsCompleted.Should().BeFalse();
        b.SetCanceled();

        var (done, pending) = await wait.Guard();
        done.Should().HaveCount(2);
        pending.Should().BeEmpty();
    }

    [Fact]
    public async Task Wait_FirstException_InputCanceledBeforeTheCall_DoesNotEndTheWait()
    {
        var time = new FakeTimeProvider();
        Task<int> canceled = Canceled<int>();
        var a = Source<int>();
        var b = Source<int>();
        Task<WaitResult<Task<int>>> untimed = Async.Wait(new[] { canceled, a.Task }, ReturnWhen.FirstException);
        Task<WaitResult<Task<int>>> timed = Async.Wait(new[] { canceled, b.Task }, ReturnWhen.FirstException, TimeSpan.FromSeconds(5), time, CancellationToken.None);

        untimed.IsCompleted.Should().BeFalse("a canceled input is not an exception for FirstException");
        timed.IsCompleted.Should().BeFalse("a canceled input is not an exception for FirstException");

        a.SetResult(1);
        var (done, pending) = await untimed.Guard();
        done.Should().Equal(canceled, a.Task);
        pending.Should().BeEmpty();

        time.Advance(TimeSpan.FromSeconds(5));
        (done, pending) = await timed.Guard();
        done.Should().Equal(canceled);
        pending.Should().Equal(b.Task);
    }

    [Fact]
    public void Wait_ConditionAlreadyHolds_CompletesSynchronously()
    {
        var pending = Source<int>();
        Task<int> faulted = Faulted<int>("x");

        Async.Wait(new[] { Task.FromResult(1) }).IsCompletedSuccessfully.Should().BeTrue();
        Async.Wait(new[] { pending.Task, Task.FromResult(1) }, ReturnWhen.FirstCompleted).IsCompletedSuccessfully.Should().BeTrue();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { pending.Task, faulted }, ReturnWhen.FirstException);
        wait.IsCompletedSuccessfully.Should().BeTrue();
        wait.Result.Done.Should().Equal(faulted);
        wait.Result.Pending.Should().Equal(pending.Task);

        // Also with a timeout and a token, which would otherwise take the promise that waits.
        using var cts = new CancellationTokenSource();
        foreach (ReturnWhen returnWhen in new[] { ReturnWhen.AllCompleted, ReturnWhen.FirstCompleted, ReturnWhen.FirstException })
        {
            Async.Wait(new[] { faulted, Task.FromResult(1) }, returnWhen, TimeSpan.FromSeconds(30), cts.Token).IsCompletedSuccessfully.Should().BeTrue();
        }

        Async.Wait(new[] { pending.Task, Task.FromResult(1) }, ReturnWhen.FirstCompleted, TimeSpan.FromSeconds(30), cts.Token).IsCompletedSuccessfully.Should().BeTrue();
        wait = Async.Wait(new[] { pending.Task, faulted }, ReturnWhen.FirstException, TimeSpan.FromSeconds(30), cts.Token);
        wait.IsCompletedSuccessfully.Should().BeTrue();
        wait.Result.Pending.Should().Equal(pending.Task);
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public async Task Wait_Timeout_ReturnsWithPendingNonEmpty_NeverThrows(ReturnWhen returnWhen)
    {
        var time = new TimerCountingTimeProvider();
        var a = Source<int>();
        var b = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task, b.Task, Task.FromResult(0) }.Skip(returnWhen == ReturnWhen.FirstCompleted ? 0 : 0).Take(2), returnWhen, TimeSpan.FromSeconds(5), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(4));
        wait.IsCompleted.Should().BeFalse();
        if (returnWhen != ReturnWhen.FirstCompleted)
        {
            a.SetResult(1);
        }

        time.Advance(TimeSpan.FromSeconds(1));

        var (done, pending) = await wait.Guard();
        pending.Should().Contain(b.Task);
        done.Should().HaveCount(returnWhen == ReturnWhen.FirstCompleted ? 0 : 1);
        time.ActiveTimers.Should().Be(0);
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public async Task Wait_InputWinsBeforeTimeout_TimerAndRegistrationReleased(ReturnWhen returnWhen)
    {
        var time = new TimerCountingTimeProvider();
        using var cts = new CancellationTokenSource();
        var a = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task }, returnWhen, TimeSpan.FromSeconds(5), time, cts.Token);
        time.ActiveTimers.Should().Be(1);

        a.SetResult(1);

        (await wait.Guard()).Done.Should().Equal(a.Task);
        time.ActiveTimers.Should().Be(0);
        cts.Cancel(); // no registration left to act on the finished call
        wait.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public void Wait_ZeroTimeout_ReturnsAtOnceWithWhatIsComplete()
    {
        var pending = Source<int>();
        Task<int> done = Task.FromResult(1);

        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { pending.Task, done }, ReturnWhen.AllCompleted, TimeSpan.Zero);

        wait.IsCompletedSuccessfully.Should().BeTrue();
        wait.Result.Done.Should().Equal(done);
        wait.Result.Pending.Should().Equal(pending.Task);
    }

    [Fact]
    public async Task Wait_InfiniteTimeout_WaitsWithoutLimit()
    {
        var time = new FakeTimeProvider();
        var a = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task }, ReturnWhen.AllCompleted, Timeout.InfiniteTimeSpan, time, CancellationToken.None);
        time.Advance(TimeSpan.FromDays(365));
        wait.IsCompleted.Should().BeFalse("a timer due at any time would have fired inside Advance");
        a.SetResult(1);
        (await wait.Guard()).Done.Should().ContainSingle();
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public async Task Wait_Canceled_ThrowsOperationCanceledAndInputsRunOn(ReturnWhen returnWhen)
    {
        using var cts = new CancellationTokenSource();
        var a = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task }, returnWhen, cts.Token);

        cts.Cancel();

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        a.Task.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task Wait_TokenAlreadyCanceled_CanceledUnlessConditionHolds()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { Source<int>().Task }, ReturnWhen.AllCompleted, Timeout.InfiniteTimeSpan, cts.Token);
        wait.IsCanceled.Should().BeTrue();
        await FluentActions.Awaiting(() => wait).Should().ThrowAsync<OperationCanceledException>();
        Async.Wait(new[] { Task.FromResult(1) }, ReturnWhen.AllCompleted, cts.Token).IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Wait_Duplicates_DoneAndPendingPartitionTheDistinctInputs()
    {
        var a = Source<int>();
        var b = Source<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { a.Task, b.Task, a.Task, b.Task }, ReturnWhen.FirstCompleted);
        a.SetResult(1);
        var (done, pending) = await wait.Guard();
        done.Should().Equal(a.Task);
        pending.Should().Equal(b.Task);

        var many = Enumerable.Range(0, 40).Select(_ => Source<int>()).ToArray();
        Task<int>[] withDuplicates = many.Select(s => s.Task).Concat(many.Select(s => s.Task)).ToArray();
        Task<WaitResult<Task<int>>> big = Async.Wait(withDuplicates, ReturnWhen.FirstException);
        many[3].SetException(new FormatException());
        var (bigDone, bigPending) = await big.Guard();
        bigDone.Should().Equal(many[3].Task);
        bigPending.Should().HaveCount(39).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void Wait_InvalidArguments_ThrowAtTheCall()
    {
        var t = new[] { Task.FromResult(1) };
        Call(() => Async.Wait((IEnumerable<Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.Wait((IEnumerable<Task>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.Wait(Array.Empty<Task<int>>())).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.Wait(Array.Empty<Task>(), ReturnWhen.FirstCompleted)).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.Wait(new Task<int>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.Wait(t, (ReturnWhen)3)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("returnWhen");
        Call(() => Async.Wait(t, (ReturnWhen)(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("returnWhen");
        Call(() => Async.Wait(t, ReturnWhen.AllCompleted, TimeSpan.FromMilliseconds(-2))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.Wait(t, ReturnWhen.AllCompleted, TimeSpan.FromDays(50))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.Wait(t, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(1), null!, CancellationToken.None)).Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
        Call(() => Async.Wait(new Task[] { Task.CompletedTask }, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(-5), CancellationToken.None)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Wait_Untyped_AllShapes()
    {
        var a = Source();
        var b = Source();
        Task<WaitResult<Task>> first = Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.FirstCompleted);
        a.SetResult();
        WaitResult<Task> w2 = await first.Guard();
        w2.Done.Should().Equal(a.Task);

        using var cts = new CancellationTokenSource();
        Task<WaitResult<Task>> all = Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(30), cts.Token);
        b.SetResult();
        WaitResult<Task> w3 = await all.Guard();
        w3.Pending.Should().BeEmpty();

        (await Async.Wait(new Task[] { a.Task }).Guard()).Done.Should().ContainSingle();
        (await Async.Wait(new Task[] { a.Task }, ReturnWhen.FirstException, TimeSpan.FromSeconds(1)).Guard()).Done.Should().ContainSingle();
    }

    [Fact]
    public void WaitResult_Default_HasEmptyCollections()
    {
        default(WaitResult<Task>).Done.Should().BeEmpty();
        default(WaitResult<Task>).Pending.Should().BeEmpty();
        FluentActions.Invoking(() => new WaitResult<Task>(null!, Array.Empty<Task>())).Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public void Wait_AfterTimeout_NothingStaysAttachedToANeverCompletingInput(ReturnWhen returnWhen)
    {
        var never = Source<int>();
        var time = new FakeTimeProvider();
        WeakReference reference = WithoutSynchronizationContext(() => StartAndTimeOut(never.Task, returnWhen, time));

        AssertCollectable(() => reference, "Wait must remove everything it attached to an input that never completes");
        GC.KeepAlive(never);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference StartAndTimeOut(Task<int> never, ReturnWhen returnWhen, FakeTimeProvider time)
        {
            Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { never }, returnWhen, TimeSpan.FromSeconds(1), time, CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
            // Plain xunit asserts: an assertion library may cache its subject, which would keep it alive.
            Assert.True(wait.IsCompletedSuccessfully, "the manual clock fires the timeout synchronously");
            Assert.Single(wait.Result.Pending);
            return new WeakReference(wait);
        }
    }

    [Fact]
    public async Task Wait_TenThousandInputsCompletedConcurrently_AllDone()
    {
        const int n = 10_000;
        var sources = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource<int>()).ToArray();
        Task<WaitResult<Task<int>>> all = Async.Wait(sources.Select(s => s.Task), ReturnWhen.AllCompleted, TimeSpan.FromMinutes(5));
        Task<WaitResult<Task<int>>> firstException = Async.Wait(sources.Select(s => s.Task), ReturnWhen.FirstException);
        Task<WaitResult<Task<int>>> allWithoutDeadline = Async.Wait(sources.Select(s => s.Task));
        Parallel.For(0, n, i => sources[i].SetResult(i));
        (await all.Guard()).Done.Should().HaveCount(n);
        (await firstException.Guard()).Done.Should().HaveCount(n);
        WaitResult<Task<int>> withoutDeadline = await allWithoutDeadline.Guard();
        withoutDeadline.Done.Should().Equal(sources.Select(s => s.Task), "Done holds every input, in input order");
        withoutDeadline.Pending.Should().BeEmpty();
    }

    [Fact]
    public async Task Wait_AllCompletedWithoutDeadline_MixedAndRepeatedInputs_EndsOnlyWithTheLastPendingOne()
    {
        var a = Source<int>();
        var b = Source<int>();
        Task<int> done = Task.FromResult(7);
        var tasks = new[] { a.Task, done, a.Task, b.Task, done };
        Task<WaitResult<Task<int>>> wait = Async.Wait(tasks);
        tasks[1] = b.Task;

        a.SetException(new FormatException());
        await Task.Yield();
        wait.IsCompleted.Should().BeFalse("b is still pending; a, passed twice, counts once");
        b.SetCanceled();

        WaitResult<Task<int>> result = await wait.Guard();
        result.Done.Should().Equal(a.Task, done, b.Task);
        result.Pending.Should().BeEmpty();
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public async Task Wait_WithoutDeadline_InputCompletion_NeverRunsTheCallersContinuationInline(ReturnWhen returnWhen)
    {
        // The caller's code after the await must not run inside the SetResult call of whoever completes an input (unlike
        // Task.WhenAny and Task.WhenAll, whose awaiters resume inside it; asyncio always schedules the waiter).
        var input = new TaskCompletionSource<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { input.Task }, returnWhen);
        (await ResumesInside(() => wait, () => input.SetResult(1))).Should().BeFalse();
        (await wait).Done.Should().Equal(input.Task);
    }

    [Fact]
    public async Task Wait_FirstException_LastPendingInputFaults_ReturnsOnce()
    {
        var time = new TimerCountingTimeProvider();
        var only = new TaskCompletionSource<int>();
        Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { Task.FromResult(1), only.Task }, ReturnWhen.FirstException, TimeSpan.FromSeconds(5), time, CancellationToken.None);
        only.SetException(new FormatException());
        var (done, pending) = await wait.Guard();
        done.Should().HaveCount(2);
        pending.Should().BeEmpty();
        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task WaitResult_Views_IndexAndEnumerateLikeLists()
    {
        var pending = Source<int>();
        Task<int> done = Task.FromResult(1);
        var (d, p) = await Async.Wait(new[] { pending.Task, done }, ReturnWhen.FirstCompleted).Guard();
        var doneList = d.Should().BeAssignableTo<IReadOnlyList<Task<int>>>().Subject;
        doneList[0].Should().BeSameAs(done);
        FluentActions.Invoking(() => { _ = doneList[1]; }).Should().Throw<ArgumentOutOfRangeException>();
        ((System.Collections.IEnumerable)p).Cast<Task<int>>().Should().Equal(pending.Task);
    }

    public static TheoryData<ReturnWhen, bool> ReturnWhenAndDeadline() => new()
    {
        { ReturnWhen.FirstCompleted, false }, { ReturnWhen.AllCompleted, false }, { ReturnWhen.FirstException, false },
        { ReturnWhen.FirstCompleted, true }, { ReturnWhen.AllCompleted, true }, { ReturnWhen.FirstException, true },
    };

    /// <summary>The collection is read once, at the call: changing the caller's array later changes nothing, and Wait never writes to it.</summary>
    [Theory]
    [MemberData(nameof(ReturnWhenAndDeadline))]
    public async Task Wait_CallersArrayChangedWhileWaiting_ResultPartitionsWhatWasPassed(ReturnWhen returnWhen, bool deadline)
    {
        var a = Source();
        var b = Source();
        var c = Source();
        Task[] tasks = { a.Task, b.Task, c.Task };
        Task<WaitResult<Task>> wait = deadline
            ? Async.Wait(tasks, returnWhen, TimeSpan.FromHours(1), new FakeTimeProvider(), CancellationToken.None)
            : Async.Wait(tasks, returnWhen);
        Task[] replacement = { Task.CompletedTask, Task.CompletedTask, Task.CompletedTask };
        Array.Copy(replacement, tasks, 3);

        if (returnWhen == ReturnWhen.FirstException)
        {
            b.SetException(new FormatException());
        }
        else
        {
            b.SetResult();
        }

        if (returnWhen == ReturnWhen.AllCompleted)
        {
            c.SetResult();
            a.SetResult();
        }

        var (done, pending) = await wait.Guard();
        if (returnWhen == ReturnWhen.AllCompleted)
        {
            done.Should().Equal(a.Task, b.Task, c.Task);
            pending.Should().BeEmpty();
        }
        else
        {
            done.Should().Equal(b.Task);
            pending.Should().Equal(a.Task, c.Task);
        }

        tasks.Should().Equal(replacement, "Wait never writes to the caller's array");
        _ = b.Task.Exception;
    }

    [Fact]
    public async Task Wait_ResultSegments_IndexLikeTheirEnumeration()
    {
        var a = Source();
        var b = Source();
        var c = Source();
        Task<WaitResult<Task>> wait = Async.Wait(new List<Task> { a.Task, b.Task, c.Task }, ReturnWhen.FirstCompleted);
        b.SetResult();
        var (done, pending) = await wait.Guard();
        var list = (IReadOnlyList<Task>)pending;
        list[0].Should().BeSameAs(a.Task);
        list[1].Should().BeSameAs(c.Task);
        ((IReadOnlyList<Task>)done)[0].Should().BeSameAs(b.Task);
        Call(() => list[2]).Should().Throw<ArgumentOutOfRangeException>();
        ((System.Collections.IEnumerable)pending).Cast<Task>().Should().Equal(a.Task, c.Task);
    }

    [Fact]
    public async Task Wait_ResultSets_AreReadOnlyCollectionsThatCopyInOneStep()
    {
        var a = Source();
        var b = Source();
        var c = Source();
        Task<WaitResult<Task>> wait = Async.Wait(new[] { a.Task, b.Task, c.Task }, ReturnWhen.FirstCompleted);
        b.SetResult();
        var (done, pending) = await wait.Guard();

        var collection = pending.Should().BeAssignableTo<ICollection<Task>>().Subject;
        collection.IsReadOnly.Should().BeTrue();
        collection.Contains(a.Task).Should().BeTrue();
        collection.Contains(b.Task).Should().BeFalse("b is in Done");
        ((ICollection<Task>)done).Contains(b.Task).Should().BeTrue();
        FluentActions.Invoking(() => collection.Add(b.Task)).Should().Throw<NotSupportedException>();
        FluentActions.Invoking(() => collection.Remove(a.Task)).Should().Throw<NotSupportedException>();
        FluentActions.Invoking(() => collection.Clear()).Should().Throw<NotSupportedException>();
        pending.Should().Equal(a.Task, c.Task);

        var target = new Task[4];
        collection.CopyTo(target, 1);
        target[0].Should().BeNull();
        target[1].Should().BeSameAs(a.Task);
        target[2].Should().BeSameAs(c.Task);
        target[3].Should().BeNull();
        FluentActions.Invoking(() => collection.CopyTo(null!, 0)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => collection.CopyTo(new Task[2], 1)).Should().ThrowExactly<ArgumentException>()
            .WithMessage("The destination array is too small.*").And.ParamName.Should().Be("array");
        FluentActions.Invoking(() => collection.CopyTo(new Task[3], 2)).Should().ThrowExactly<ArgumentException>()
            .WithMessage("The destination array is too small.*");
        FluentActions.Invoking(() => collection.CopyTo(new Task[2], 2)).Should().ThrowExactly<ArgumentException>("an index at the end is valid; the room is what is missing");
        FluentActions.Invoking(() => collection.CopyTo(new Task[2], -1)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("The index must be within the destination array.*").And.ParamName.Should().Be("arrayIndex");
        FluentActions.Invoking(() => collection.CopyTo(new Task[2], 3)).Should().Throw<ArgumentOutOfRangeException>();
        collection.CopyTo(new Task[2], 0);
        var empty = (ICollection<Task>)(await Async.Wait(new[] { a.Task }, ReturnWhen.AllCompleted, TimeSpan.Zero).Guard()).Done;
        empty.Should().BeEmpty();
        empty.CopyTo(new Task[2], 2);
        FluentActions.Invoking(() => empty.Add(a.Task)).Should().Throw<NotSupportedException>().WithMessage("The collection is read-only.");

        // The BCL's one-step copies.
        new List<Task>(pending).Should().Equal(a.Task, c.Task);
        pending.ToArray().Should().Equal(a.Task, c.Task);
        Task all = Task.WhenAll(pending);
        all.IsCompleted.Should().BeFalse();
        a.SetResult();
        c.SetResult();
        await all.Guard();
    }

    [Fact]
    public async Task Wait_AsyncioLoopOverPending_EachTaskDoneOnceInCompletionOrder()
    {
        // asyncio: while pending: done, pending = await wait(pending, return_when=FIRST_COMPLETED)
        TaskCompletionSource<int>[] sources = Enumerable.Range(0, 40).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        int[] order = Enumerable.Range(0, 40).Select(i => (i * 17) % 40).ToArray();
        var seen = new List<int>();
#pragma warning disable CA1859 // The loop reassigns it from Wait's result: the interface is the point.
        IReadOnlyCollection<Task<int>> pending = sources.Select(s => s.Task).ToList();
#pragma warning restore CA1859
        int next = 0;
        while (pending.Count > 0)
        {
            Task<WaitResult<Task<int>>> wait = Async.Wait(pending, ReturnWhen.FirstCompleted);
            if (!wait.IsCompleted)
            {
                sources[order[next]].SetResult(order[next]);
                next++;
            }

            (IReadOnlyCollection<Task<int>> done, pending) = await wait.Guard();
            done.Should().NotBeEmpty();
            done.Should().OnlyContain(t => t.IsCompleted);
            pending.Where(t => t.IsCompleted).Should().BeEmpty("Done holds every input completed at the moment of return");
            seen.AddRange(done.Select(t => t.Result));
        }

        seen.Should().Equal(order, "each task is done exactly once, in completion order");

        // A Pending set passed to AsCompleted works the same way.
        var x = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var y = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<WaitResult<Task<int>>> first = Async.Wait(new[] { x.Task, y.Task, Task.FromResult(0) }, ReturnWhen.FirstCompleted);
        var (_, rest) = await first.Guard();
        rest.Should().Equal(x.Task, y.Task);
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(rest).GetAsyncEnumerator();
        ValueTask<bool> move = e.MoveNextAsync();
        y.SetResult(2);
        (await move).Should().BeTrue();
        e.Current.Should().BeSameAs(y.Task);
        move = e.MoveNextAsync();
        x.SetResult(1);
        (await move).Should().BeTrue();
        e.Current.Should().BeSameAs(x.Task);
        (await e.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public void Wait_NeverObservesAnInputsException_InAnyMode()
    {
        // As asyncio's wait() never retrieves an exception, Wait hands the tasks back and observing them is the caller's
        // job, as the contract requires: no mode marks an input's exception observed as a side effect.
        using var monitor = new UnobservedExceptionMonitor();
        Run(monitor);
        monitor.CollectAndGetSeen().Should().HaveCount(4, "each input's exception is left for its owner");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void Run(UnobservedExceptionMonitor monitor)
        {
            var modes = new[]
            {
                (ReturnWhen.AllCompleted, Timeout.InfiniteTimeSpan), (ReturnWhen.AllCompleted, TimeSpan.FromSeconds(30)),
                (ReturnWhen.FirstCompleted, Timeout.InfiniteTimeSpan), (ReturnWhen.FirstException, Timeout.InfiniteTimeSpan),
            };
            foreach ((ReturnWhen returnWhen, TimeSpan timeout) in modes)
            {
                var input = new TaskCompletionSource<int>();
                Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { input.Task }, returnWhen, timeout);
                input.SetException(monitor.NewException());
                SpinWait.SpinUntil(() => wait.IsCompleted, TimeSpan.FromSeconds(10)).Should().BeTrue();
                wait.Result.Done.Should().ContainSingle().Which.IsFaulted.Should().BeTrue();
            }
        }
    }

    [Theory]
    [MemberData(nameof(PendingCounts))]
    public void Wait_AllCompletedOverFaultedInputs_ObservesTheTaskItWaitedOn(int n)
    {
        // Wait hands faulted inputs back for the caller to observe, but whatever it waits on internally is its own:
        // nothing may reach UnobservedTaskException once the caller has observed the inputs.
        using var monitor = new UnobservedExceptionMonitor();
        Run(monitor, n);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void Run(UnobservedExceptionMonitor monitor, int n)
        {
            var sources = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource<int>()).ToArray();
            Task<WaitResult<Task<int>>> all = Async.Wait(sources.Select(s => s.Task).ToArray());
            foreach (TaskCompletionSource<int> source in sources)
            {
                source.SetException(monitor.NewException());
            }

            // (Under the test framework's synchronization context the snapshot runs on the thread pool.)
            SpinWait.SpinUntil(() => all.IsCompleted, TimeSpan.FromSeconds(10)).Should().BeTrue();
            all.IsCompletedSuccessfully.Should().BeTrue();
            all.Result.Done.Should().HaveCount(n);
            foreach (Task<int> task in all.Result.Done)
            {
                task.Exception.Should().NotBeNull();
            }
        }
    }

    /// <summary>Pending-input counts from a few to more than the pairwise duplicate check covers.</summary>
    public static TheoryData<int> PendingCounts() => new()
    {
        2, 63, 64, 300,
    };

    [Theory]
    [MemberData(nameof(PendingCounts))]
    public async Task Wait_AllCompletedWithoutDeadline_AnyNumberOfPendingInputs_KeepsTheContract(int pendingCount)
    {
        var sources = Enumerable.Range(0, pendingCount).Select(_ => Source<int>()).ToArray();
        Task<int> done = Task.FromResult(-1);
        // One input already complete at the call, then the pending ones; the first pending one is passed again at the end.
        Task<int>[] tasks = new[] { done }.Concat(sources.Select(s => s.Task)).Append(sources[0].Task).ToArray();
        Task<int>[] distinct = tasks.Take(tasks.Length - 1).ToArray();
        Task<WaitResult<Task<int>>> wait = Async.Wait(tasks);
        Array.Fill(tasks, done);

        for (int i = 1; i < pendingCount; i++)
        {
            switch (i % 3)
            {
                case 0: sources[i].SetResult(i); break;
                case 1: sources[i].SetException(new FormatException()); break;
                default: sources[i].SetCanceled(); break;
            }
        }

        await Task.Yield();
        wait.IsCompleted.Should().BeFalse("the first pending input, passed twice, has not completed");
        sources[0].SetResult(0);

        var (doneSet, pendingSet) = await wait.Guard();
        doneSet.Should().Equal(distinct, "Done holds every distinct input once, in input order, as passed at the call");
        pendingSet.Should().BeEmpty();
        tasks.Should().OnlyContain(task => task == done, "Wait never writes to the caller's array");
        doneSet.Count(task => task.IsFaulted).Should().Be((pendingCount + 1) / 3, "Wait hands faults back as they are");
        foreach (Task<int> task in doneSet)
        {
            _ = task.Exception;
        }
    }

    [Theory]
    [MemberData(nameof(PendingCounts))]
    public async Task Wait_AllCompletedWithoutDeadline_UntypedInputs_AnyNumberOfPendingInputs(int pendingCount)
    {
        var sources = Enumerable.Range(0, pendingCount).Select(_ => Source()).ToArray();
        Task[] tasks = sources.Select(s => s.Task).Prepend(Task.CompletedTask).ToArray();
        Task[] passed = (Task[])tasks.Clone();
        Task<WaitResult<Task>> wait = Async.Wait(tasks);
        Array.Fill(tasks, Task.CompletedTask);

        for (int i = pendingCount - 1; i > 0; i--)
        {
            sources[i].SetResult();
        }

        await Task.Yield();
        wait.IsCompleted.Should().BeFalse("the first pending input has not completed");
        sources[0].SetCanceled();

        var (doneSet, pendingSet) = await wait.Guard();
        doneSet.Should().Equal(passed);
        pendingSet.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(PendingCounts))]
    public async Task Wait_AllCompletedWithoutDeadline_AnyNumberOfPendingInputs_NeverResumesTheCallerInline(int pendingCount)
    {
        // Inputs whose continuations run inline: the last SetResult runs the wait's own completion, but not the caller's
        // code after the await.
        var sources = Enumerable.Range(0, pendingCount).Select(_ => new TaskCompletionSource<int>()).ToArray();
        Task<WaitResult<Task<int>>> wait = Async.Wait(sources.Select(s => s.Task).ToArray());
        bool inline = await ResumesInside(() => wait, () =>
        {
            foreach (TaskCompletionSource<int> source in sources)
            {
                source.SetResult(1);
            }
        });
        inline.Should().BeFalse();
        (await wait).Done.Should().Equal(sources.Select(s => s.Task));
    }

    [Theory]
    [MemberData(nameof(PendingCounts))]
    public void Wait_AllCompletedWithoutDeadline_AnyNumberOfPendingInputs_NeverObservesAnInputsException(int pendingCount)
    {
        using var monitor = new UnobservedExceptionMonitor();
        Run(monitor, pendingCount);
        monitor.CollectAndGetSeen().Should().HaveCount(1, "the faulted input's exception is left for its owner");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void Run(UnobservedExceptionMonitor monitor, int pendingCount)
        {
            var sources = Enumerable.Range(0, pendingCount).Select(_ => new TaskCompletionSource<int>()).ToArray();
            Task<WaitResult<Task<int>>> wait = Async.Wait(sources.Select(s => s.Task).ToArray());
            sources[0].SetException(monitor.NewException());
            for (int i = 1; i < pendingCount; i++)
            {
                sources[i].SetResult(i);
            }

            SpinWait.SpinUntil(() => wait.IsCompleted, TimeSpan.FromSeconds(10)).Should().BeTrue();
            wait.Result.Done.Should().HaveCount(pendingCount).And.Contain(task => task.IsFaulted);
        }
    }
}
