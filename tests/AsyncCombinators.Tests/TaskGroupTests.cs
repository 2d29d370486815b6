using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class TaskGroupTests
{
    [Fact]
    public async Task TaskGroup_LeavingScope_WaitsForEveryChild()
    {
        var a = Source<int>();
        var b = Source();
        Task scope = Scope();
        Task<bool> childrenEndedFirst = scope.AtCompletion(() => a.Task.IsCompleted && b.Task.IsCompleted);
        a.SetResult(1);
        b.SetResult();
        await scope.Guard();
        (await childrenEndedFirst).Should().BeTrue("leaving the scope waits for every child");

        async Task Scope()
        {
            await using (var group = new TaskGroup())
            {
                Task<int> x = group.Run(_ => a.Task);
                Task y = group.Run(_ => b.Task);
                group.Token.CanBeCanceled.Should().BeTrue();
            }
        }
    }

    [Fact]
    public async Task TaskGroup_FirstFailure_CancelsTokenAndThrowsAggregateOfFailuresWithoutCancellations()
    {
        var probe = new OperationProbe<int>(3);
        var group = new TaskGroup();
        foreach (var op in probe.Operations)
        {
            _ = group.Run(op);
        }

        probe.Completions[1].SetException(new FormatException("one"));
        await WaitUntil(() => group.Token.IsCancellationRequested);
        probe.Tokens.Should().OnlyContain(t => t.IsCancellationRequested);

        var thrown = await FluentActions.Awaiting(() => group.DisposeAsync().AsTask().Guard()).Should().ThrowAsync<AggregateException>();
        thrown.Which.InnerExceptions.Should().ContainSingle().Which.Message.Should().Be("one");
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task TaskGroup_SeveralFailures_AllReported()
    {
        var a = Source<int>();
        var b = Source<int>();
        var group = new TaskGroup();
        _ = group.Run(ct => { ct.Register(() => b.TrySetException(new InvalidOperationException("two"))); return b.Task; });
        _ = group.Run(_ => a.Task);
        a.SetException(new FormatException("one"));
        var thrown = await FluentActions.Awaiting(() => group.DisposeAsync().AsTask().Guard()).Should().ThrowAsync<AggregateException>();
        thrown.Which.InnerExceptions.Select(e => e.Message).Should().BeEquivalentTo("one", "two");
    }

    [Fact]
    public async Task TaskGroup_ChildCanceledByItself_IsNotAFailure()
    {
        var group = new TaskGroup();
        _ = group.Run(_ => Canceled<int>());
        _ = group.Run(_ => Task.FromResult(1));
        await group.DisposeAsync().AsTask().Guard();
        group.Token.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public async Task TaskGroup_CallerToken_CancelsChildrenAndThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var probe = new OperationProbe<int>(2);
        var group = new TaskGroup(cts.Token);
        _ = group.Run(probe.Operations[0]);
        _ = group.Run(probe.Operations[1]);
        cts.Cancel();
        probe.Tokens.Should().OnlyContain(t => t.IsCancellationRequested);
        await FluentActions.Awaiting(() => group.DisposeAsync().AsTask().Guard()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TaskGroup_Cancel_CancelsChildrenAndEndsWithoutException()
    {
        var probe = new OperationProbe<int>(2);
        var group = new TaskGroup();
        _ = group.Run(probe.Operations[0]);
        _ = group.Run(probe.Operations[1]);
        group.Cancel();
        probe.Tokens.Should().OnlyContain(t => t.IsCancellationRequested);
        await group.DisposeAsync().AsTask().Guard();
        Call(() => group.Run(_ => Task.FromResult(1))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task TaskGroup_RunAfterFailureOrAfterFinish_InvalidOperation()
    {
        var group = new TaskGroup();
        _ = group.Run(_ => Task.FromException<int>(new FormatException()));
        Call(() => group.Run(_ => Task.FromResult(1))).Should().Throw<InvalidOperationException>().WithMessage("*shutting down*");
        await FluentActions.Awaiting(() => group.DisposeAsync().AsTask()).Should().ThrowAsync<AggregateException>();

        var finished = new TaskGroup();
        await finished.DisposeAsync();
        Call(() => finished.Run(_ => Task.CompletedTask)).Should().Throw<InvalidOperationException>().WithMessage("*finished*");
        await finished.DisposeAsync(); // again: same outcome, no throw
    }

    [Fact]
    public async Task DisposeAsync_WhileTheCallersCancellationCallbackUsesTheGroup_DoesNotDeadlock()
    {
        // Disposing releases the registration on the caller's token; on .NET Standard 2.0 that waits for the callback
        // running on another thread. Here the callback (through the group's token) calls into the group meanwhile.
        using var caller = new CancellationTokenSource();
        var group = new TaskGroup(caller.Token);
        using var inCallback = new ManualResetEventSlim();
        var disposing = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        group.Token.Register(() =>
        {
            inCallback.Set();
            Thread disposer = disposing.Task.GetAwaiter().GetResult();
            // Until the disposer waits for this callback (or has returned, where releasing does not wait).
            SpinWait.SpinUntil(() => (disposer.ThreadState & (ThreadState.WaitSleepJoin | ThreadState.Stopped)) != 0, TimeSpan.FromSeconds(5));
            group.Cancel();
        });
        Task canceling = Task.Run(caller.Cancel);
        inCallback.Wait();

        Task? disposal = null;
        var thread = new Thread(() => disposal = group.DisposeAsync().AsTask()) { IsBackground = true };
        disposing.SetResult(thread);
        thread.Start();

        thread.Join(TimeSpan.FromSeconds(10)).Should().BeTrue("disposing must not hold what the callback needs");
        await canceling.Guard();
        await FluentActions.Awaiting(() => disposal!.Guard()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TaskGroup_ChildrenStartChildrenWhileDraining_WaitsForThemAll()
    {
        var gate = Source();
        int grandchildren = 0;
        var group = new TaskGroup();
        _ = group.Run(async ct =>
        {
            await gate.Task;
            _ = group.Run(async __ => { await Task.Yield(); Interlocked.Increment(ref grandchildren); });
        });
        Task dispose = group.DisposeAsync().AsTask();
        gate.SetResult();
        await dispose.Guard();
        grandchildren.Should().Be(1);
    }

    [Fact]
    public async Task TaskGroup_RunAsync_BodyExceptionCancelsChildrenAndIsIncluded()
    {
        CancellationToken child = default;
        var never = Source<int>();
        Task run = TaskGroup.RunAsync(async group =>
        {
            _ = group.Run(ct => { child = ct; ct.Register(() => never.TrySetCanceled(ct)); return never.Task; });
            await Task.Yield();
            throw new FormatException("body");
        });

        var thrown = await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<AggregateException>();
        thrown.Which.InnerExceptions.Should().ContainSingle().Which.Message.Should().Be("body");
        child.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task TaskGroup_RunAsync_ReturnsBodyValueAfterChildren()
    {
        var gate = Source<int>();
        Task<int> run = TaskGroup.RunAsync(group =>
        {
            Task<int> child = group.Run(_ => gate.Task);
            return Task.FromResult(5);
        });
        Task<bool> childEndedFirst = run.AtCompletion(() => gate.Task.IsCompleted);
        gate.SetResult(1);
        (await run.Guard()).Should().Be(5);
        (await childEndedFirst).Should().BeTrue("RunAsync returns the body's value only after the children have ended");

        using var cts = new CancellationTokenSource();
        Task canceled = TaskGroup.RunAsync(async group =>
        {
            _ = group.Run(ct => Task.Delay(Timeout.Infinite, ct));
            cts.Cancel();
            await Task.Delay(Timeout.Infinite, group.Token);
        }, cts.Token);
        await FluentActions.Awaiting(() => canceled.Guard()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TaskGroup_SynchronousThrowByChild_IsAFailure()
    {
        var group = new TaskGroup();
        _ = group.Run(new Func<CancellationToken, Task>(_ => throw new FormatException("sync")));
        (await FluentActions.Awaiting(() => group.DisposeAsync().AsTask()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().ContainSingle().Which.Should().BeOfType<FormatException>();
    }

    [Fact]
    public void TaskGroup_NullArguments_Throw()
    {
        var group = new TaskGroup();
        Call(() => group.Run((Func<CancellationToken, Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("operation");
        Call(() => group.Run((Func<CancellationToken, Task>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("operation");
        Call(() => TaskGroup.RunAsync(null!)).Should().Throw<ArgumentNullException>().WithParameterName("body");
        Call(() => TaskGroup.RunAsync((Func<TaskGroup, Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("body");
    }

    [Fact]
    public async Task TaskGroup_CancellationCallbackThrows_GroupStillCancelsAndDrains()
    {
        var stuck = Source();
        var group = new TaskGroup();
        _ = group.Run(ct =>
        {
            ct.Register(() => throw new InvalidOperationException("callback"));
            ct.Register(() => stuck.TrySetCanceled(ct));
            return stuck.Task;
        });
        group.Cancel();
        await group.DisposeAsync().AsTask().Guard();
        group.Cancel(); // after the group finished: nothing left to cancel, no throw
    }

    [Fact]
    public async Task TaskGroup_RunAsync_BodyThrowsCancellationAfterCallerCanceled_OperationCanceledNotFailure()
    {
        using var cts = new CancellationTokenSource();
        Task run = TaskGroup.RunAsync(group =>
        {
            cts.Cancel();
            group.Token.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }, cts.Token);
        await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<OperationCanceledException>();
        run.IsCanceled.Should().BeTrue();

        Task<int> own = TaskGroup.RunAsync<int>(_ => throw new OperationCanceledException("by itself"));
        (await FluentActions.Awaiting(() => own.Guard()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().ContainSingle().Which.Should().BeOfType<OperationCanceledException>();
    }

    [Fact]
    public async Task TaskGroup_CallerTokenCanceledThenCancel_LeavingThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var child = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = new TaskGroup(cts.Token);
        Task<int> ignoring = group.Run(_ => child.Task);
        group.Cancel();
        ValueTask leaving = group.DisposeAsync();
        child.SetResult(7);

        await FluentActions.Awaiting(async () => await leaving).Should().ThrowAsync<OperationCanceledException>("the caller's token wins over Cancel()");
        (await ignoring).Should().Be(7);
    }

    [Fact]
    public async Task TaskGroup_RunAsync_BodyRethrowsAChildsFailure_ReportedOnce()
    {
        // The body awaits the failed child: the group sees the child's exception first.
        var gate = Source<int>();
        var boom = new FormatException("child");
        Task awaiting = TaskGroup.RunAsync(async group => await group.Run(_ => gate.Task));
        gate.SetException(boom);
        (await FluentActions.Awaiting(() => awaiting.Guard()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().ContainSingle().Which.Should().BeSameAs(boom);

        // The body fails with the exception the child fails with later, when the group cancels it.
        var shared = new FormatException("shared");
        var child = Source<int>();
        Task first = TaskGroup.RunAsync(group =>
        {
            _ = group.Run(ct => { ct.Register(() => child.TrySetException(shared)); return child.Task; });
            return Task.FromException(shared);
        });
        (await FluentActions.Awaiting(() => first.Guard()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().ContainSingle().Which.Should().BeSameAs(shared);
    }

    [Fact]
    public async Task TaskGroup_TwoChildrenFailWithTheSameException_BothReported()
    {
        var boom = new FormatException("shared");
        Task<int> shared = Task.FromException<int>(boom);
        var gate = Source<int>();
        var group = new TaskGroup();
        _ = group.Run(_ => gate.Task.ContinueWith(__ => shared, TaskScheduler.Default).Unwrap());
        _ = group.Run(_ => shared);
        gate.SetResult(0);
        (await FluentActions.Awaiting(() => group.DisposeAsync().AsTask().Guard()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().HaveCount(2, "only a body that rethrows a child's exception is the same failure");
    }

    [Fact]
    public async Task TaskGroup_RunAsyncOfT_BodyEndedByCancel_EndsCanceled()
    {
        Task<int> run = TaskGroup.RunAsync<int>(async group =>
        {
            group.Cancel();
            await Task.Delay(Timeout.Infinite, group.Token);
            return 5;
        });
        await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<OperationCanceledException>("the body has no value to return");
        run.IsCanceled.Should().BeTrue();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TaskGroup_ChildFaultsWithACancellationAndAnotherException_ReportsOnlyTheOtherAndCancels(bool cancellationFirst)
    {
        // A child that returns Task.WhenAll directly faults with every inner exception; one of them can be an
        // OperationCanceledException (an input faulted with it through a completion source).
        var io = new FormatException("disk");
        Exception[] inner = cancellationFirst ? new Exception[] { new OperationCanceledException(), io } : new Exception[] { io, new OperationCanceledException() };
        var child = Source<int>();
        var group = new TaskGroup();
        _ = group.Run(_ => child.Task);
        child.SetException(inner);

        (await FluentActions.Awaiting(() => group.DisposeAsync().AsTask().Guard()).Should().ThrowAsync<AggregateException>())
            .Which.InnerExceptions.Should().ContainSingle().Which.Should().BeSameAs(io);
        group.Token.IsCancellationRequested.Should().BeTrue("a child failure cancels the others");
    }
}
