using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

/// <summary>Every exception the library creates says what happened, in words a caller can act on.</summary>
public class MessageTests
{
    [Fact]
    public async Task WaitFor_Timeout_SaysItTimedOutAndNamesAsyncioTimeoutError()
    {
        var time = new FakeTimeProvider();
        Task<int> wait = Async.WaitFor(token => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => 1, token, TaskContinuationOptions.None, TaskScheduler.Default), TimeSpan.FromSeconds(1), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        (await FluentActions.Awaiting(() => wait.Guard()).Should().ThrowAsync<TimeoutException>())
            .WithMessage("*did not complete within the timeout*asyncio TimeoutError*")
            .WithInnerException<OperationCanceledException>();
    }

    [Fact]
    public async Task AsCompleted_Timeout_SaysItTimedOut()
    {
        var time = new FakeTimeProvider();
        var never = Source<int>();
        await using IAsyncEnumerator<Task<int>> e = Async.AsCompleted(new[] { never.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => next.AsTask().Guard()).Should().ThrowAsync<TimeoutException>()
            .WithMessage("AsCompleted timed out before every task completed*");
    }

    [Fact]
    public async Task FirstSuccessful_AllFail_SaysEveryOperationFailed()
    {
        Task<int> race = Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { _ => Task.FromException<int>(new FormatException("a")) });
        await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<AggregateException>().WithMessage("Every operation failed.*");
    }

    [Fact]
    public async Task TaskGroup_ChildFails_SaysAnOperationOfTheGroupFailed()
    {
        Task run = TaskGroup.RunAsync(group =>
        {
            _ = group.Run(_ => Task.FromException(new FormatException("child")));
            return Task.CompletedTask;
        });
        await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<AggregateException>().WithMessage("One or more operations of the task group failed.*");
    }

    [Fact]
    public async Task NullTaskFromAnOperation_SaysSo_TypedAndUntyped()
    {
        await FluentActions.Awaiting(() => Async.WaitFor(_ => null!, TimeSpan.FromSeconds(1))).Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("The operation returned a null task.");
        await FluentActions.Awaiting(() => Async.WaitFor<int>(_ => null!, TimeSpan.FromSeconds(1))).Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("The operation returned a null task.");
    }

    [Fact]
    public void MaxConcurrency_BelowOne_MessageSaysAtLeastOneMustRun()
    {
        Call(() => Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(1) }, maxConcurrency: 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("At least one operation must be allowed to run.*")
            .Which.ParamName.Should().Be("maxConcurrency");
    }

    [Fact]
    public void OutcomeOfPendingTask_SaysItHasNotCompleted_TypedAndUntyped()
    {
        var pending = Source<int>();
        Call(() => pending.Task.GetOutcome()).Should().Throw<InvalidOperationException>().WithMessage("The task has not completed yet (asyncio InvalidStateError)*");
        Call(() => ((Task)pending.Task).GetOutcome()).Should().Throw<InvalidOperationException>().WithMessage("The task has not completed yet (asyncio InvalidStateError)*");
    }

    [Fact]
    public void OutcomeToString_EachState_DescribesIt()
    {
        Outcome.FromResult(5).ToString().Should().Be("Success(5)");
        Outcome.Success.ToString().Should().Be("Success");
        Outcome.FromException(new FormatException("bad")).ToString().Should().Be("Faulted(FormatException: bad)");
        Task.FromCanceled<int>(new CancellationToken(true)).GetOutcome().ToString().Should().Be("Canceled");
    }
}
