using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class WaitForTests
{
    /// <summary>A cold operation driven by the test: it records its token and ends when the test says so.</summary>
    private sealed class Operation<T>
    {
        public TaskCompletionSource<T> Completion { get; } = Source<T>();

        public CancellationToken Token { get; private set; }

        public int Starts { get; private set; }

        public bool CancelOnToken { get; init; } = true;

        public Task<T> Run(CancellationToken token)
        {
            Starts++;
            Token = token;
            if (CancelOnToken)
            {
                token.Register(() => Completion.TrySetCanceled(token));
            }

            return Completion.Task;
        }
    }

    [Fact]
    public async Task WaitFor_Cold_CompletesInTime_ReturnsValueAndReleasesTimer()
    {
        var time = new TimerCountingTimeProvider();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(2), time, CancellationToken.None);
        op.Token.CanBeCanceled.Should().BeTrue();
        time.ActiveTimers.Should().Be(1);

        op.Completion.SetResult(42);

        (await wait.Guard()).Should().Be(42);
        time.ActiveTimers.Should().Be(0);
        op.Token.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public async Task WaitFor_Cold_Timeout_CancelsTokenWaitsForOperationThenThrowsTimeout()
    {
        var time = new FakeTimeProvider();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(2), time, CancellationToken.None);
        Task<bool> operationEndedFirst = wait.AtCompletion(() => op.Completion.Task.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        op.Token.IsCancellationRequested.Should().BeTrue();
        wait.IsCompleted.Should().BeFalse("the timeout fired inside Advance, and WaitFor waits for the operation to finish");

        op.Completion.SetCanceled(op.Token);
        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>())
            .Which.InnerException.Should().BeAssignableTo<OperationCanceledException>().Which.CancellationToken.Should().Be(op.Token);
        (await operationEndedFirst).Should().BeTrue("WaitFor waits for the operation to finish");
    }

    [Fact]
    public async Task WaitFor_Cold_TimeoutAndOperationEndsCanceled_TimeoutExceptionWithInnerCancellation()
    {
        var time = new FakeTimeProvider();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(2), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(2));

        var ex = (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>()).Which;
        ex.InnerException.Should().BeAssignableTo<OperationCanceledException>();
        op.Starts.Should().Be(1);
    }

    [Fact]
    public async Task WaitFor_Cold_TimeoutButOperationReturnsValue_ValueReturned()
    {
        var time = new FakeTimeProvider();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(1), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        op.Completion.SetResult(7);
        (await wait.Guard()).Should().Be(7);
    }

    [Fact]
    public async Task WaitFor_Cold_TimeoutThenOperationFaults_ThatExceptionPropagates()
    {
        var time = new FakeTimeProvider();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(1), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var error = new System.IO.InvalidDataException("cleanup failed");
        op.Completion.SetException(error);
        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<System.IO.InvalidDataException>()).Which.Should().BeSameAs(error);
    }

    [Fact]
    public async Task WaitFor_Cold_CallerCancels_OperationTokenCanceledWaitsThenOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromMinutes(5), cts.Token);
        Task<bool> operationEndedFirst = wait.AtCompletion(() => op.Completion.Task.IsCompleted);

        cts.Cancel();
        op.Token.IsCancellationRequested.Should().BeTrue();
        op.Completion.SetCanceled(op.Token);

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        (await operationEndedFirst).Should().BeTrue("WaitFor waits for the operation to finish");
    }

    [Fact]
    public async Task WaitFor_Cold_CallerCancelsAndTimeoutFires_CallerWins()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(1), time, cts.Token);
        time.Advance(TimeSpan.FromSeconds(1));
        cts.Cancel();
        op.Completion.SetCanceled();
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<OperationCanceledException>();
        wait.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task WaitFor_Cold_CallerCancelsButOperationReturnsValue_ValueReturned()
    {
        using var cts = new CancellationTokenSource();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, Timeout.InfiniteTimeSpan, cts.Token);
        cts.Cancel();
        op.Completion.SetResult(3);
        (await wait.Guard()).Should().Be(3);
    }

    [Fact]
    public async Task WaitFor_Cold_OperationCancelsItself_CanceledNotTimeout()
    {
        var time = new FakeTimeProvider();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(5), time, CancellationToken.None);
        op.Completion.SetCanceled();
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<OperationCanceledException>();
        wait.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task WaitFor_Cold_OperationFaultsWithACancellationFirst_EndsCanceledWithThatException()
    {
        // Task.Run(() => token.ThrowIfCancellationRequested()) without passing the token faults with the cancellation:
        // awaiting it throws OperationCanceledException, so WaitFor reports it as an operation that ended canceled.
        var time = new FakeTimeProvider();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(5), time, CancellationToken.None);
        var cancellation = new OperationCanceledException("the operation's own");
        op.Completion.SetException(new Exception[] { cancellation, new FormatException() });

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.Should().BeSameAs(cancellation);
        wait.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task WaitFor_Cold_TimeoutThenOperationFaultsWithACancellation_TimeoutException()
    {
        var time = new FakeTimeProvider();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(2), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        var cancellation = new OperationCanceledException(op.Token);
        op.Completion.SetException(cancellation);

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>()).Which.InnerException.Should().BeSameAs(cancellation);
    }

    [Fact]
    public async Task WaitFor_Cold_CallerCancelsThenOperationFaultsWithACancellation_CallersCancellation()
    {
        using var caller = new CancellationTokenSource();
        var op = new Operation<int> { CancelOnToken = false };
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(30), caller.Token);
        caller.Cancel();
        op.Token.IsCancellationRequested.Should().BeTrue();
        op.Completion.SetException(new OperationCanceledException(op.Token));

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(caller.Token);
        wait.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task WaitFor_Cold_OperationFaultsWithSeveral_FirstPropagatesAlone()
    {
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(30));
        var first = new FormatException();
        op.Completion.SetException(new Exception[] { first, new InvalidOperationException() });

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<FormatException>()).Which.Should().BeSameAs(first);
        wait.Exception!.InnerExceptions.Should().ContainSingle().Which.Should().BeSameAs(first);
    }

    [Fact]
    public async Task WaitFor_Cold_TimerDisposeThrows_FaultsWithItAndStillReleasesTheRest()
    {
        // A TimeProvider is user code: its timer's Dispose may throw. That exception is the caller's to see, and the
        // registration on the caller's token and the operation's token source are released all the same.
        var time = new ThrowingDisposeTimeProvider();
        using var caller = new CancellationTokenSource();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(2), time, caller.Token);
        op.Completion.SetResult(1);

        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<InvalidTimeZoneException>();
        caller.Cancel();
        op.Token.IsCancellationRequested.Should().BeFalse("the registration on the caller's token was released");
        op.Token.Invoking(t => t.WaitHandle).Should().Throw<ObjectDisposedException>("the operation's token source was disposed");
    }

    [Fact]
    public async Task WaitFor_Cold_TimerDisposeThrowsAndOperationFaults_OperationFailureObserved()
    {
        // The caller sees the Dispose exception; the operation's own failure must still not go unobserved (WaitFor owns it).
        using var monitor = new UnobservedExceptionMonitor();
        await Run(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task Run(UnobservedExceptionMonitor monitor)
        {
            var op = new Operation<int>();
            Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(2), new ThrowingDisposeTimeProvider(), CancellationToken.None);
            op.Completion.SetException(monitor.NewException());
            await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<InvalidTimeZoneException>();
        }
    }

    private sealed class ThrowingDisposeTimeProvider : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Timer();

        private sealed class Timer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose() => throw new InvalidTimeZoneException();

            public ValueTask DisposeAsync() => throw new InvalidTimeZoneException();
        }
    }

    [Fact]
    public async Task WaitFor_Cold_InfiniteTimeout_NoTimerNoLimit()
    {
        var time = new TimerCountingTimeProvider();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, Timeout.InfiniteTimeSpan, time, CancellationToken.None);
        time.Advance(TimeSpan.FromDays(400));
        time.CreatedTimers.Should().Be(0);
        wait.IsCompleted.Should().BeFalse();
        op.Completion.SetResult(1);
        (await wait.Guard()).Should().Be(1);
    }

    [Fact]
    public async Task WaitFor_Cold_ZeroTimeout_SynchronousResultKeptOtherwiseCancelled()
    {
        (await Async.WaitFor(_ => Task.FromResult(5), TimeSpan.Zero)).Should().Be(5);

        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.Zero);
        op.Token.IsCancellationRequested.Should().BeTrue();
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task WaitFor_Cold_SynchronousThrow_BehavesAsFaultedTask()
    {
        Task<int> wait = Async.WaitFor<int>(_ => throw new FormatException("sync"), TimeSpan.FromSeconds(1));
        wait.IsFaulted.Should().BeTrue();
        await FluentActions.Awaiting(() => wait).Should().ThrowAsync<FormatException>().WithMessage("sync");

        Task plain = Async.WaitFor(_ => throw new FormatException("sync"), TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => plain).Should().ThrowAsync<FormatException>();

        Task<int> noLimit = Async.WaitFor<int>(_ => throw new FormatException("sync"), Timeout.InfiniteTimeSpan);
        await FluentActions.Awaiting(() => noLimit).Should().ThrowAsync<FormatException>();

        Task<int> syncCancel = Async.WaitFor<int>(_ => throw new OperationCanceledException(), TimeSpan.FromSeconds(1));
        syncCancel.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task WaitFor_Cold_TokenAlreadyCanceled_OperationNotStarted()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var op = new Operation<int>();
        Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(1), cts.Token);
        await FluentActions.Awaiting(() => wait).Should().ThrowAsync<OperationCanceledException>();
        op.Starts.Should().Be(0);
        Async.WaitFor(_ => Task.CompletedTask, TimeSpan.FromSeconds(1), cts.Token).IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task WaitFor_ColdUntyped_AllShapes()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        var done = Source();
        Task wait = Async.WaitFor(ct => { seen = ct; return done.Task; }, TimeSpan.FromSeconds(2), time, cts.Token);
        done.SetResult();
        await wait.Guard();
        seen.CanBeCanceled.Should().BeTrue();

        var never = Source();
        Task timedOut = Async.WaitFor(ct => { ct.Register(() => never.TrySetCanceled(ct)); return never.Task; }, TimeSpan.FromSeconds(2), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        await FluentActions.Awaiting(() => timedOut.Guard()).Should().ThrowAsync<TimeoutException>();

        await Async.WaitFor(_ => Task.CompletedTask, TimeSpan.FromSeconds(2));
        await Async.WaitFor(ct => Task.Delay(1, ct), TimeSpan.FromSeconds(20), cts.Token);

        var faulting = Source();
        Task faulted = Async.WaitFor(_ => faulting.Task, TimeSpan.FromSeconds(20));
        faulting.SetException(new FormatException());
        await FluentActions.Awaiting(() => faulted.Guard()).Should().ThrowAsync<FormatException>();
    }

    [Fact]
    public void WaitFor_InvalidArguments_ThrowAtTheCall()
    {
        var time = new TimerCountingTimeProvider();
        Call(() => Async.WaitFor((Func<CancellationToken, Task<int>>)null!, TimeSpan.FromSeconds(1))).Should().Throw<ArgumentNullException>().WithParameterName("operation");
        Call(() => Async.WaitFor((Func<CancellationToken, Task>)null!, TimeSpan.FromSeconds(1))).Should().Throw<ArgumentNullException>().WithParameterName("operation");
        Call(() => Async.WaitFor((Task<int>)null!, TimeSpan.FromSeconds(1))).Should().Throw<ArgumentNullException>().WithParameterName("task");
        Call(() => Async.WaitFor((Task)null!, TimeSpan.FromSeconds(1))).Should().Throw<ArgumentNullException>().WithParameterName("task");
        Call(() => Async.WaitFor(_ => Task.FromResult(1), TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(_ => Task.CompletedTask, TimeSpan.FromTicks(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(Task.FromResult(1), TimeSpan.FromSeconds(-3))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(Task.CompletedTask, TimeSpan.FromSeconds(-3))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(_ => Task.FromResult(1), TimeSpan.FromSeconds(1), null!, default)).Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
        Call(() => Async.WaitFor(Task.CompletedTask, TimeSpan.FromSeconds(1), null!, default)).Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
        time.CreatedTimers.Should().Be(0);
    }

    public static TheoryData<long> ValidTimeoutTicks() => new()
    {
        0,
        1,
        Timeout.InfiniteTimeSpan.Ticks,
        TimeSpan.FromMilliseconds(uint.MaxValue - 1).Ticks,
        TimeSpan.FromMilliseconds(uint.MaxValue - 1).Ticks + TimeSpan.TicksPerMillisecond - 1,
    };

    public static TheoryData<long> InvalidTimeoutTicks() => new()
    {
        -1,
        -TimeSpan.TicksPerMillisecond / 2,
        Timeout.InfiniteTimeSpan.Ticks - 1,
        Timeout.InfiniteTimeSpan.Ticks + 1,
        TimeSpan.FromMilliseconds(uint.MaxValue).Ticks,
        TimeSpan.MaxValue.Ticks,
        TimeSpan.MinValue.Ticks,
    };

    [Theory]
    [MemberData(nameof(ValidTimeoutTicks))]
    public async Task Timeouts_FromZeroToTheTimersLimit_AndInfinite_AreAccepted(long ticks)
    {
        var timeout = TimeSpan.FromTicks(ticks);
        var time = new TimerCountingTimeProvider();
        (await Async.WaitFor(_ => Task.FromResult(1), timeout)).Should().Be(1);
        await Async.WaitFor(_ => Task.CompletedTask, timeout);
        (await Async.WaitFor(Task.FromResult(2), timeout)).Should().Be(2);
        await Async.WaitFor(Task.CompletedTask, timeout);
        (await Async.Wait(new[] { Task.CompletedTask }, ReturnWhen.AllCompleted, timeout, time, CancellationToken.None)).Done.Should().HaveCount(1);
        var yielded = new List<int>();
        await foreach (Task<int> next in Async.AsCompleted(new[] { Task.FromResult(3) }, timeout, time, CancellationToken.None))
        {
            yielded.Add(await next);
        }

        yielded.Should().Equal(3);
        (await Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(4) }, timeout, time)).Should().Be(4);
        time.ActiveTimers.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(InvalidTimeoutTicks))]
    public void Timeouts_NegativeOrBeyondTheTimersLimit_AreRejectedAtTheCall(long ticks)
    {
        var timeout = TimeSpan.FromTicks(ticks);
        var time = new TimerCountingTimeProvider();
        Call(() => Async.WaitFor(_ => Task.FromResult(1), timeout)).Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(_ => Task.CompletedTask, timeout)).Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(Task.FromResult(2), timeout)).Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.WaitFor(Task.CompletedTask, timeout)).Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.Wait(new[] { Task.CompletedTask }, ReturnWhen.AllCompleted, timeout, time, CancellationToken.None))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.AsCompleted(new[] { Task.FromResult(3) }, timeout, time, CancellationToken.None))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("timeout");
        Call(() => Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(4) }, timeout, time))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("staggerDelay");
        time.CreatedTimers.Should().Be(0);
    }

    [Fact]
    public async Task WaitFor_Hot_TimeoutThrowsAtOnceAndTaskRunsOn()
    {
        var time = new TimerCountingTimeProvider();
        var hot = Source<int>();
        Task<int> wait = Async.WaitFor(hot.Task, TimeSpan.FromSeconds(2), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>();
        hot.Task.IsCompleted.Should().BeFalse();
        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task WaitFor_Hot_ValueFaultAndCancellation()
    {
        var hot = Source<int>();
        Task<int> wait = Async.WaitFor(hot.Task, TimeSpan.FromSeconds(30));
        hot.SetResult(9);
        (await wait.Guard()).Should().Be(9);

        Task<int> completed = Task.FromResult(1);
        Async.WaitFor(completed, TimeSpan.Zero).Should().BeSameAs(completed, "an already-completed task is returned as it is");

        using var cts = new CancellationTokenSource();
        var pending = Source<int>();
        Task<int> canceled = Async.WaitFor(pending.Task, TimeSpan.FromSeconds(30), cts.Token);
        cts.Cancel();
        await FluentActions.Awaiting(() => canceled.Guard()).Should().ThrowAsync<OperationCanceledException>();

        var plain = Source();
        Task plainWait = Async.WaitFor(plain.Task, TimeSpan.FromSeconds(30), cts.Token);
        await FluentActions.Awaiting(() => plainWait.Guard()).Should().ThrowAsync<OperationCanceledException>();
        plain.SetResult();
        await Async.WaitFor(plain.Task, TimeSpan.FromSeconds(30));
        await Async.WaitFor(plain.Task, TimeSpan.FromSeconds(30), CancellationToken.None);

        var faulting = Source<int>();
        Task<int> faulted = Async.WaitFor(faulting.Task, Timeout.InfiniteTimeSpan, CancellationToken.None);
        faulting.SetException(new FormatException());
        await FluentActions.Awaiting(() => faulted.Guard()).Should().ThrowAsync<FormatException>();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public async Task WaitFor_Hot_CallerCancels_CanceledWithTheCallersToken(int timeoutSeconds)
    {
        TimeSpan timeout = timeoutSeconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(timeoutSeconds);
        using var cts = new CancellationTokenSource();
        var typed = Source<int>();
        var plain = Source();
        Task<int> typedWait = Async.WaitFor(typed.Task, timeout, new FakeTimeProvider(), cts.Token);
        Task plainWait = Async.WaitFor(plain.Task, timeout, new FakeTimeProvider(), cts.Token);

        cts.Cancel();

        (await FluentActions.Awaiting(() => typedWait.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        (await FluentActions.Awaiting(() => plainWait.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        typedWait.IsCanceled.Should().BeTrue();
        plainWait.IsCanceled.Should().BeTrue();
        typed.Task.IsCompleted.Should().BeFalse("the task cannot be cancelled and runs on");
    }

    [Fact]
    public void WaitFor_ColdOperationFinishesFirst_NothingLeftOnCallerToken()
    {
        using var cts = new CancellationTokenSource();
        WeakReference reference = WithoutSynchronizationContext(() => Run(cts.Token));
        AssertCollectable(() => reference, "the registration on the caller's token must be released when the operation finishes");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference Run(CancellationToken token)
        {
            var op = new TaskCompletionSource<int>();
            Task<int> wait = Async.WaitFor(_ => op.Task, TimeSpan.FromHours(1), new FakeTimeProvider(), token);
            op.SetResult(1);
            Assert.True(wait.IsCompletedSuccessfully);
            return new WeakReference(wait);
        }
    }

    [Fact]
    public async Task WaitFor_ManyCallsRacingTimeoutWithCompletion_AlwaysValueOrTimeout()
    {
        for (int i = 0; i < 500; i++)
        {
            var time = new FakeTimeProvider();
            var op = new Operation<int>();
            Task<int> wait = Async.WaitFor(op.Run, TimeSpan.FromSeconds(1), time, CancellationToken.None);
            Task racer = Task.Run(() => op.Completion.TrySetResult(i));
            time.Advance(TimeSpan.FromSeconds(1));
            await racer;
            await wait.WhenSettled();
            if (wait.IsCompletedSuccessfully)
            {
                wait.Result.Should().Be(i);
            }
            else
            {
                wait.Exception!.InnerException.Should().BeOfType<TimeoutException>();
            }
        }
    }

    [Fact]
    public async Task WaitFor_ColdUntyped_SynchronousOutcomesAndNoLimitFastPath()
    {
        Async.WaitFor(_ => Task.CompletedTask, TimeSpan.FromSeconds(1)).IsCompletedSuccessfully.Should().BeTrue();
        Task faulted = Async.WaitFor(_ => Task.FromException(new FormatException()), TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => faulted).Should().ThrowAsync<FormatException>();
        Task canceled = Async.WaitFor(_ => Task.FromCanceled(new CancellationToken(true)), TimeSpan.FromSeconds(1));
        canceled.IsCanceled.Should().BeTrue();

        var pending = Source();
        Task noLimit = Async.WaitFor(ct => { ct.CanBeCanceled.Should().BeFalse(); return pending.Task; }, Timeout.InfiniteTimeSpan);
        pending.SetResult();
        await noLimit.Guard();
    }

    [Fact]
    public async Task WaitFor_Cold_NullTaskFromOperation_Faults()
    {
        await FluentActions.Awaiting(() => Async.WaitFor<int>(_ => null!, TimeSpan.FromSeconds(1))).Should().ThrowAsync<InvalidOperationException>().WithMessage("*null task*");
        await FluentActions.Awaiting(() => Async.WaitFor(_ => null!, TimeSpan.FromSeconds(1))).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task WaitFor_Cold_CancellationCallbackThrows_StillTimesOutCleanly()
    {
        var time = new FakeTimeProvider();
        var op = Source<int>();
        Task<int> wait = Async.WaitFor(ct =>
        {
            ct.Register(() => throw new FormatException("callback"));
            ct.Register(() => op.TrySetCanceled(ct));
            return op.Task;
        }, TimeSpan.FromSeconds(1), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task WaitFor_Cold_ZeroTimeoutWithCallerToken_TimesOut()
    {
        using var cts = new CancellationTokenSource();
        var op = Source<int>();
        Task<int> wait = Async.WaitFor(ct => { ct.Register(() => op.TrySetCanceled(ct)); return op.Task; }, TimeSpan.Zero, cts.Token);
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task WaitFor_Cold_SynchronousCompletion_LeavesNothingToCancelTheOperationsToken()
    {
        // An operation that completed synchronously is done with: no timer and no registration is made for it, so a token
        // it kept is never canceled, not when the timeout passes nor when the caller cancels (its source, which holds
        // nothing, is left to the collector: disposing it would release nothing).
        var time = new TimerCountingTimeProvider();
        using var caller = new CancellationTokenSource();
        CancellationToken typedToken = default;
        int value = await Async.WaitFor(ct => { typedToken = ct; return Task.FromResult(7); }, TimeSpan.FromSeconds(30), time, caller.Token).Guard();
        CancellationToken untypedToken = default;
        await Async.WaitFor(ct => { untypedToken = ct; return Task.CompletedTask; }, TimeSpan.Zero, time, caller.Token).Guard();
        value.Should().Be(7);
        time.CreatedTimers.Should().Be(0);

        time.Advance(TimeSpan.FromMinutes(1));
        caller.Cancel();
        typedToken.CanBeCanceled.Should().BeTrue();
        typedToken.IsCancellationRequested.Should().BeFalse();
        untypedToken.CanBeCanceled.Should().BeTrue();
        untypedToken.IsCancellationRequested.Should().BeFalse();
    }
}
