using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

/// <summary>
/// A TimeProvider is user code: a timer that throws from Change or Dispose must end the call with a result or a clear
/// exception, never crash the process from a pool thread or leave the call hanging.
/// </summary>
public class FaultyTimeProviderTests
{
    [Fact]
    public async Task FirstSuccessful_StaggerTimerCreationThrows_RaceEndsWithThatException()
    {
        var time = new FaultyTimeProvider(throwOnCreate: true);
        var probe = new OperationProbe<int>(2);

        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time, CancellationToken.None);

        (await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<InvalidOperationException>()).WithMessage("injected CreateTimer fault");
        probe.StartOrder.Should().Equal(0);
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue("the started operation is cancelled and awaited");
    }

    [Fact]
    public async Task FirstSuccessful_StaggerTimerDisposeThrows_WinnerIsReturned()
    {
        var time = new FaultyTimeProvider(throwOnDispose: true);
        var probe = new OperationProbe<int>(2);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time, CancellationToken.None);

        probe.Completions[0].SetResult(4);

        (await race.Guard()).Should().Be(4);
    }

    [Fact]
    public async Task WaitFor_HotTaskTimerDisposeThrows_ReturnsTheValue()
    {
        var time = new FaultyTimeProvider(throwOnDispose: true);
        var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> wait = Async.WaitFor(source.Task, TimeSpan.FromSeconds(5), time, CancellationToken.None);

        source.SetResult(9);

        (await wait.Guard()).Should().Be(9);
    }

    [Fact]
    public async Task Gather_MaxPerSecondDelayDisposeThrows_StartsEveryOperation()
    {
        var time = new FaultyTimeProvider(throwOnDispose: true);
        var options = new ConcurrencyOptions { MaxPerSecond = 1, TimeProvider = time };
        Task<int[]> gather = Async.Gather(new[] { 1, 2, 3 }, (i, ct) => Task.FromResult(i * 10), options);

        await TestUtil.WaitUntil(() => time.CreatedTimers == 1);
        time.Advance(TimeSpan.FromSeconds(1));
        await TestUtil.WaitUntil(() => time.CreatedTimers == 2);
        time.Advance(TimeSpan.FromSeconds(1));

        (await gather.Guard()).Should().Equal(10, 20, 30);
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public void Wait_TimerCreationThrows_EndsWithThatExceptionAndLeavesNothingOnTheInputs(ReturnWhen returnWhen)
    {
        var pending = TestUtil.Source<int>();
        WeakReference reference = TestUtil.WithoutSynchronizationContext(() => StartAndFail(pending.Task, returnWhen));

        // What stays attached to an input references the wait's task, which could then not be collected.
        TestUtil.AssertCollectable(() => reference, "the wait has ended, so nothing of it stays on an input that may never complete");
        GC.KeepAlive(pending);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference StartAndFail(Task<int> pending, ReturnWhen returnWhen)
        {
            Task<WaitResult<Task<int>>> wait = Async.Wait(new[] { pending }, returnWhen, TimeSpan.FromSeconds(1), new FaultyTimeProvider(throwOnCreate: true), CancellationToken.None);
            wait.IsFaulted.Should().BeTrue("the TimeProvider's failure ends the wait at the call");
            wait.Exception!.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("injected CreateTimer fault");
            return new WeakReference(wait);
        }
    }

    [Fact]
    public void AsCompleted_TimerCreationThrows_LeavesNothingOnTheInputs()
    {
        var pending = TestUtil.Source<int>();
        WeakReference reference = TestUtil.WithoutSynchronizationContext(() => StartAndFail(pending.Task));

        // The timer's state is the enumerator, which what stays attached to an input would keep alive.
        TestUtil.AssertCollectable(() => reference, "the enumeration never started, so nothing of it stays on the inputs");
        GC.KeepAlive(pending);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference StartAndFail(Task<int> pending)
        {
            var time = new FaultyTimeProvider(throwOnCreate: true);
            IAsyncEnumerable<Task<int>> sequence = Async.AsCompleted(new[] { pending }, TimeSpan.FromSeconds(1), time, CancellationToken.None);
            FluentActions.Invoking(() => sequence.GetAsyncEnumerator()).Should().Throw<InvalidOperationException>().WithMessage("injected CreateTimer fault");
            return time.RefusedTimerState!;
        }
    }

    [Fact]
    public async Task AsCompletedOverOperations_DeadlineTimerCreationThrows_CancelsAndAwaitsTheStartedOnes()
    {
        var probe = new OperationProbe<int>(3);
        await using IAsyncEnumerator<(int Index, Task<int> Task)> e =
            Async.AsCompleted(probe.Operations, maxConcurrency: 2, timeout: TimeSpan.FromSeconds(2), new FaultyTimeProvider(throwOnCreate: true)).GetAsyncEnumerator();

        (await FluentActions.Awaiting(() => e.MoveNextAsync().AsTask().Guard()).Should().ThrowAsync<InvalidOperationException>()).WithMessage("injected CreateTimer fault");
        probe.StartOrder.Should().Equal(0, 1);
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue();
        probe.Running.Should().Be(0, "nothing the enumeration started is still running when it ends");
    }

    [Fact]
    public async Task AsCompletedOverOperations_DeadlineTimerDisposeThrows_LeavingTheLoopStillCancelsAndAwaits()
    {
        var probe = new OperationProbe<int>(2);
        IAsyncEnumerator<(int Index, Task<int> Task)> e =
            Async.AsCompleted(probe.Operations, maxConcurrency: 2, timeout: TimeSpan.FromSeconds(2), new FaultyTimeProvider(throwOnDispose: true)).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        await TestUtil.WaitUntil(() => probe.StartOrder.Count == 2);
        probe.Completions[0].SetResult(1);
        (await next.AsTask().Guard()).Should().BeTrue();

        (await FluentActions.Awaiting(() => e.DisposeAsync().AsTask().Guard()).Should().ThrowAsync<InvalidOperationException>()).WithMessage("injected Dispose fault");
        probe.Tokens[1].IsCancellationRequested.Should().BeTrue("leaving the loop cancels the running operations");
        probe.Running.Should().Be(0, "and waits for them");
    }

    [Fact]
    public async Task WaitFor_ColdTimerCreationThrows_CancelsAndAwaitsTheOperationThenThrowsThat()
    {
        var probe = new OperationProbe<int>(1, honorCancellation: false);
        Task<int> wait = Async.WaitFor(probe.Operations[0], TimeSpan.FromSeconds(1), new FaultyTimeProvider(throwOnCreate: true), CancellationToken.None);
        Task<bool> operationEndedFirst = wait.AtCompletion(() => probe.Completions[0].Task.IsCompleted);

        probe.Tokens[0].IsCancellationRequested.Should().BeTrue("WaitFor owns the started operation and cannot time it");
        probe.Completions[0].SetException(new FormatException());

        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<InvalidOperationException>()).WithMessage("injected CreateTimer fault");
        (await operationEndedFirst).Should().BeTrue("WaitFor waits for the operation it cancelled");
    }

    /// <summary>A FakeTimeProvider that throws from CreateTimer, or whose timers throw from Dispose.</summary>
    private sealed class FaultyTimeProvider : FakeTimeProvider
    {
        private readonly bool _throwOnCreate;
        private readonly bool _throwOnDispose;
        private int _created;

        public FaultyTimeProvider(bool throwOnCreate = false, bool throwOnDispose = false)
        {
            _throwOnCreate = throwOnCreate;
            _throwOnDispose = throwOnDispose;
        }

        public int CreatedTimers => Volatile.Read(ref _created);

        /// <summary>Gets the state passed to the last CreateTimer that threw, held weakly.</summary>
        public WeakReference? RefusedTimerState { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (_throwOnCreate)
            {
                RefusedTimerState = new WeakReference(state);
                throw new InvalidOperationException("injected CreateTimer fault");
            }

            Interlocked.Increment(ref _created);
            return new FaultyTimer(base.CreateTimer(callback, state, dueTime, period), this);
        }

        private sealed class FaultyTimer : ITimer
        {
            private readonly ITimer _inner;
            private readonly FaultyTimeProvider _owner;

            public FaultyTimer(ITimer inner, FaultyTimeProvider owner)
            {
                _inner = inner;
                _owner = owner;
            }

            public bool Change(TimeSpan dueTime, TimeSpan period) =>
                _inner.Change(dueTime, period);

            public void Dispose()
            {
                _inner.Dispose();
                if (_owner._throwOnDispose)
                {
                    throw new InvalidOperationException("injected Dispose fault");
                }
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }
}
