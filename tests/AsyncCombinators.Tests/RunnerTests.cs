using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

/// <summary>
/// The cold-operation runners behind Gather/GatherOutcomes/AsCompleted/FirstSuccessful over operations and TaskGroup:
/// cancellations they cause themselves, execution context, observed exceptions, tokens, and the group's lifecycle.
/// </summary>
public class RunnerTests
{
    [Fact]
    public async Task GatherOperations_CancellationCausedByTheFirstFailure_IsNotAFailure_EvenAsAFaultedOperationCanceledException()
    {
        var failing = Source<int>();
        Task<int[]> gather = Async.Gather(new Func<CancellationToken, Task<int>>[]
        {
            _ => failing.Task,
            token =>
            {
                // Reacts to its cancellation by faulting with an OperationCanceledException (not by ending canceled;
                // an async method would turn it into a cancellation).
                var canceled = Source<int>();
                token.Register(() => canceled.TrySetException(new OperationCanceledException(token)));
                return canceled.Task;
            },
            async token =>
            {
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
                return 3;
            },
        });
        failing.SetException(new FormatException("first"));

        await gather.WhenSettled();
        gather.Exception!.InnerExceptions.Should().ContainSingle().Which.Should().BeOfType<FormatException>();
    }

    [Fact]
    public async Task Operations_StartedLater_RunInTheCallersExecutionContext()
    {
        AmbientProbe.Ambient = "caller";
        var probe = new AmbientProbe();

        (await Async.Gather(Enumerable.Range(0, 5).Select(probe.Operation), maxConcurrency: 1).Guard()).Should().Equal(0, 1, 2, 3, 4);
        probe.Seen.Should().HaveCount(5).And.OnlyContain(v => v == "caller");
        AmbientProbe.Ambient = null;
    }

    [Fact]
    public async Task Operations_WithExecutionContextFlowSuppressed_StillRun()
    {
        Task<int[]> gather;
        using (ExecutionContext.SuppressFlow())
        {
            gather = Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => Task.Run(() => 1), _ => Task.FromResult(2) }, maxConcurrency: 1);
        }

        (await gather.Guard()).Should().Equal(1, 2);
    }

    [Fact]
    public async Task Runners_ObserveEveryFailure_NothingReachesUnobservedTaskException()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await WithoutSynchronizationContext(() => RunFailures(monitor));
        monitor.CollectAndGetSeen().Should().BeEmpty("the library observed every exception it was handed");

        static Task<int> FailLater(UnobservedExceptionMonitor monitor) => Task.Run(int () => throw monitor.NewException());

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task RunFailures(UnobservedExceptionMonitor monitor)
        {
            Func<CancellationToken, Task<int>> Fail() => _ => FailLater(monitor);
            await FluentActions.Awaiting(() => Async.Gather(new[] { Fail(), Fail(), Fail() })).Should().ThrowAsync<InvalidOperationException>();
            await FluentActions.Awaiting(() => Async.FirstSuccessful(new[] { Fail(), Fail() })).Should().ThrowAsync<AggregateException>();
            await foreach (var (_, task) in Async.AsCompleted(new[] { Fail(), Fail() }))
            {
                // The yielded tasks are the caller's to observe.
                task.Exception.Should().NotBeNull();
            }

            // Wait hands the inputs back (the caller observes them); what Wait builds internally it observes itself.
            var x = new TaskCompletionSource<int>();
            var y = new TaskCompletionSource<int>();
            Task<WaitResult<Task<int>>> all = Async.Wait(new[] { x.Task, y.Task });
            x.SetException(monitor.NewException());
            y.SetException(monitor.NewException());
            (await all).Done.Should().OnlyContain(t => t.Exception != null);

            // An AsCompleted loop over operations left early: the operations that fail afterwards (here: when leaving
            // the loop cancels them) are never yielded, so the library observes them.
            var late = new TaskCompletionSource<int>();
            var ops = new Func<CancellationToken, Task<int>>[]
            {
                _ => Task.FromResult(1),
                ct =>
                {
                    ct.Register(() => late.SetException(monitor.NewException()));
                    return late.Task;
                },
            };
            await foreach (var (index, _) in Async.AsCompleted(ops))
            {
                index.Should().Be(0);
                break;
            }

            late.Task.IsFaulted.Should().BeTrue("leaving the loop cancels the operation, which then fails");

            var timed = new[] { FailLater(monitor) };
            (await Async.Wait(timed, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(30))).Done.Should().OnlyContain(t => t.Exception != null);
        }
    }

    [Fact]
    public async Task FirstSuccessful_NextOperationFailsSynchronously_AsTheLast_TheRaceStillEnds()
    {
        var time = new FakeTimeProvider();
        var first = Source<int>();
        Task<int> race = Async.FirstSuccessful(
            new Func<CancellationToken, Task<int>>[] { _ => first.Task, _ => Task.FromException<int>(new FormatException("sync")) },
            TimeSpan.FromSeconds(1),
            time);
        first.SetException(new FormatException("async"));
        (await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<AggregateException>()).Which.InnerExceptions.Should().HaveCount(2);
    }

    [Fact]
    public async Task AsCompletedOperations_CallersTokenAndEnumeratorToken_EitherCancels()
    {
        using var caller = new CancellationTokenSource();
        using var enumerator = new CancellationTokenSource();
        var probe = new OperationProbe<int>(2);
        await using IAsyncEnumerator<(int, Task<int>)> e = Async.AsCompleted(probe.Operations, cancellationToken: caller.Token).GetAsyncEnumerator(enumerator.Token);
        ValueTask<bool> next = e.MoveNextAsync();
        await WaitUntil(() => probe.StartOrder.Count == 2);
        enumerator.Cancel();
        await FluentActions.Awaiting(() => next.AsTask().Guard()).Should().ThrowAsync<OperationCanceledException>();
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue("the enumerator's token reaches the operations even when the caller passed its own");
        caller.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public async Task AsCompletedOperations_SameTokenTwice_Cancels()
    {
        using var cts = new CancellationTokenSource();
        var probe = new OperationProbe<int>(1);
        await using IAsyncEnumerator<(int, Task<int>)> e = Async.AsCompleted(probe.Operations, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        ValueTask<bool> next = e.MoveNextAsync();
        cts.Cancel();
        await FluentActions.Awaiting(() => next.AsTask().Guard()).Should().ThrowAsync<OperationCanceledException>();
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task AsCompletedOperations_TokenAlreadyCanceled_StartsNothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var probe = new OperationProbe<int>(2);
        await using IAsyncEnumerator<(int, Task<int>)> e = Async.AsCompleted(probe.Operations, cancellationToken: cts.Token).GetAsyncEnumerator();
        await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowAsync<OperationCanceledException>();
        probe.StartOrder.Should().BeEmpty();

        var probe2 = new OperationProbe<int>(2);
        await using IAsyncEnumerator<(int, Task<int>)> e2 = Async.AsCompleted(probe2.Operations).GetAsyncEnumerator(cts.Token);
        await FluentActions.Awaiting(async () => await e2.MoveNextAsync()).Should().ThrowAsync<OperationCanceledException>();
        probe2.StartOrder.Should().BeEmpty();
    }

    [Fact]
    public async Task AsCompletedOperations_CanceledBetweenItems_NextMoveThrowsEvenIfMoreAreReady()
    {
        using var cts = new CancellationTokenSource();
        var ops = new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(1), _ => Task.FromResult(2) };
        await using IAsyncEnumerator<(int, Task<int>)> e = Async.AsCompleted(ops, cancellationToken: cts.Token).GetAsyncEnumerator();
        (await e.MoveNextAsync()).Should().BeTrue();
        cts.Cancel();
        await FluentActions.Awaiting(async () => await e.MoveNextAsync()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task WaitFor_SystemClock_TimeoutReallyFires()
    {
        Task<int> wait = Async.WaitFor(token => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => 1, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default), TimeSpan.FromMilliseconds(20));
        await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public void WaitFor_OperationFinishesFirst_ItsTokenSourceAndTimerAreReleased()
    {
        // What the operation registered on its token stays reachable from the timer queue until the token source is disposed.
        AssertCollectable(() => WithoutSynchronizationContext(Run), "the operation's token source (and its timer) must be released when the operation finishes");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference Run()
        {
            var marker = new object();
            var done = new TaskCompletionSource<int>();
            Task<int> wait = Async.WaitFor(
                token =>
                {
                    token.Register(static _ => { }, marker);
                    return done.Task;
                },
                TimeSpan.FromHours(1));
            done.SetResult(1);
            wait.IsCompletedSuccessfully.Should().BeTrue();
            return new WeakReference(marker);
        }
    }

    [Fact]
    public void WaitFor_WithCallerToken_OperationFinishesFirst_TheCallersTokenNoLongerHoldsTheOperationsTokenSource()
    {
        using var caller = new CancellationTokenSource();
        AssertCollectable(() => WithoutSynchronizationContext(() => Run(caller.Token)), "the registration on the caller's token must be released when the operation finishes");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference Run(CancellationToken callerToken)
        {
            object? source = null;
            var done = new TaskCompletionSource<int>();
            Task<int> wait = Async.WaitFor(
                token =>
                {
                    // The token source behind the operation's token (a private field of CancellationToken).
                    source = typeof(CancellationToken).GetField("_source", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(token);
                    return done.Task;
                },
                TimeSpan.FromHours(1),
                new FakeTimeProvider(),
                callerToken);
            done.SetResult(1);
            wait.IsCompletedSuccessfully.Should().BeTrue();
            source.Should().NotBeNull();
            return new WeakReference(source);
        }
    }

    [Fact]
    public void TaskGroup_AfterCancel_RefusesNewOperations()
    {
        var group = new TaskGroup();
        group.Cancel();
        Call(() => group.Run(_ => Task.FromResult(1))).Should().Throw<InvalidOperationException>().WithMessage("*shutting down*");
        group.Token.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task TaskGroup_DisposeAsyncTwice_OneDisposal()
    {
        var child = Source<int>();
        var group = new TaskGroup();
        _ = group.Run(_ => child.Task);
        Task first = group.DisposeAsync().AsTask();
        Task second = group.DisposeAsync().AsTask();
        second.Should().BeSameAs(first);
        child.SetResult(1);
        await first.Guard();
    }

    [Fact]
    public async Task TaskGroup_FinishedAfterItsLastChild_RefusesNewOperations()
    {
        var child = Source<int>();
        var group = new TaskGroup();
        _ = group.Run(_ => child.Task);
        Task disposal = group.DisposeAsync().AsTask();
        child.SetResult(1);
        await disposal.Guard();
        Call(() => group.Run(_ => Task.FromResult(1))).Should().Throw<InvalidOperationException>().WithMessage("*finished*");
    }

    [Fact]
    public async Task TaskGroup_BodyCanceledByTheGroupItself_IsNotAFailure()
    {
        Task run = TaskGroup.RunAsync(group =>
        {
            group.Cancel();
            group.Token.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        });
        await run.Guard();
        run.Status.Should().Be(TaskStatus.RanToCompletion);

        Task<int> typed = TaskGroup.RunAsync<int>(async group =>
        {
            _ = group.Run(_ => Task.FromException(new FormatException("child")));
            await Task.Delay(Timeout.Infinite, group.Token).ConfigureAwait(false);
            return 1;
        });
        (await FluentActions.Awaiting(() => typed.Guard()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().ContainSingle().Which.Should().BeOfType<FormatException>("the body's cancellation came from the group, after the child's failure");
    }

    [Fact]
    public async Task CallerCanceled_ASlotTheCancellationFreesAtOnce_StartsNothing()
    {
        // A Merge source holding an item ends as soon as the caller's cancellation closes the channel, which frees its
        // slot before the run has stopped. Played off any context with inline continuations, so the freed slot would
        // start the next operation before the cancellation returns.
        var first = new TaskCompletionSource<int>();
        bool secondStarted = false;
        var operations = new Func<CancellationToken, Task<int>>[]
        {
            _ => first.Task,
            _ =>
            {
                secondStarted = true;
                return Task.FromResult(2);
            },
        };
        using var cts = new CancellationTokenSource();
        SlotFreeingRunner? runner = null;
        await Task.Run(() =>
        {
            runner = new SlotFreeingRunner(operations, first, cts.Token);
            cts.Cancel();
        });

        await runner!.Ended.Task.Guard();
        secondStarted.Should().BeFalse("nothing starts once the caller's token is cancelled");
    }

    /// <summary>One operation at a time; the caller's cancellation completes the running one, as Merge's channel ends a source.</summary>
    private sealed class SlotFreeingRunner : AsyncCombinators.Internal.OperationRunner
    {
        private readonly TaskCompletionSource<int> _running;

        public SlotFreeingRunner(Func<CancellationToken, Task<int>>[] operations, TaskCompletionSource<int> running, CancellationToken token)
            : base(AsyncCombinators.Internal.Sources.Of(operations), 1, null, token)
        {
            _running = running;
            Begin();
        }

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override bool OnOperationCompleted(int index, Task task) => true;

        protected override void OnAllStopped() => Ended.TrySetResult();

        protected override void OnSourceFailed(Exception exception) => Ended.TrySetException(exception);

        protected override void OnCallerCanceledCore() => _running.TrySetResult(1);
    }
}
