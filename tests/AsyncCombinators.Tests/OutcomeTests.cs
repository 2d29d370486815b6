using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class OutcomeTests
{
    [Fact]
    public void GetOutcome_Succeeded_HasValueAndNoException()
    {
        Outcome<int> o = Task.FromResult(42).GetOutcome();

        o.IsSuccess.Should().BeTrue();
        o.IsFaulted.Should().BeFalse();
        o.IsCanceled.Should().BeFalse();
        o.Value.Should().Be(42);
        o.Exception.Should().BeNull();
        o.TryGetValue(out int v).Should().BeTrue();
        v.Should().Be(42);
        o.ToString().Should().Be("Success(42)");
    }

    [Fact]
    public async Task GetOutcome_Faulted_ValueRethrowsOriginalExceptionWithOriginalStack()
    {
        Task<int> task = ThrowingAsync();
        await task.WhenSettled();

        Outcome<int> o = task.GetOutcome();

        o.IsFaulted.Should().BeTrue();
        o.IsSuccess.Should().BeFalse();
        o.IsCanceled.Should().BeFalse();
        o.Exception.Should().BeOfType<FormatException>().Which.Message.Should().Be("bad");
        o.TryGetValue(out _).Should().BeFalse();
        FluentActions.Invoking(() => o.Value).Should().Throw<FormatException>()
            .Which.StackTrace.Should().Contain(nameof(ThrowingAsync));
        o.ToString().Should().Be("Faulted(FormatException: bad)");
    }

    [Fact]
    public void GetOutcome_Canceled_ExceptionIsOperationCanceledAndValueThrowsIt()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Outcome<int> o = Task.FromCanceled<int>(cts.Token).GetOutcome();

        o.IsCanceled.Should().BeTrue();
        o.IsSuccess.Should().BeFalse();
        o.IsFaulted.Should().BeFalse();
        o.Exception.Should().BeAssignableTo<OperationCanceledException>().Which.CancellationToken.Should().Be(cts.Token);
        FluentActions.Invoking(() => o.Value).Should().Throw<OperationCanceledException>();
        o.ToString().Should().Be("Canceled");
    }

    [Fact]
    public async Task GetOutcome_CanceledByAsyncMethod_ExceptionIsTheOriginalOne()
    {
        var original = new OperationCanceledException("mine");
        Task<int> task = ThrowAsync(original);
        await task.WhenSettled();

        task.GetOutcome().Exception.Should().BeSameAs(original);

        static async Task<int> ThrowAsync(Exception e)
        {
            await Task.Yield();
            throw e;
        }
    }

    [Fact]
    public void GetOutcome_SeveralExceptions_FirstInnerException()
    {
        var first = new InvalidOperationException("first");
        var tcs = new TaskCompletionSource<int>();
        tcs.SetException(new Exception[] { first, new ArgumentException("second") });

        tcs.Task.GetOutcome().Exception.Should().BeSameAs(first);
        ((Task)tcs.Task).GetOutcome().Exception.Should().BeSameAs(first);
    }

    [Fact]
    public void GetOutcome_NotCompleted_ThrowsInvalidOperationWithoutBlocking()
    {
        var tcs = new TaskCompletionSource<int>();

        FluentActions.Invoking(() => tcs.Task.GetOutcome()).Should().Throw<InvalidOperationException>().WithMessage("*not completed*");
        FluentActions.Invoking(() => ((Task)tcs.Task).GetOutcome()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void GetOutcome_Null_ThrowsArgumentNull()
    {
        FluentActions.Invoking(() => ((Task<int>)null!).GetOutcome()).Should().Throw<ArgumentNullException>().WithParameterName("task");
        FluentActions.Invoking(() => ((Task)null!).GetOutcome()).Should().Throw<ArgumentNullException>().WithParameterName("task");
    }

    [Fact]
    public void GetOutcome_Faulted_MarksExceptionObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        ReadOutcomeOfFaultedTask(monitor);

        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void ReadOutcomeOfFaultedTask(UnobservedExceptionMonitor monitor)
        {
            var tcs = new TaskCompletionSource<int>();
            tcs.SetException(monitor.NewException());
            tcs.Task.GetOutcome().IsFaulted.Should().BeTrue();
        }
    }

    [Fact]
    public void UntypedOutcome_EachState_ReportsAndThrowsIfFailed()
    {
        Outcome ok = Task.CompletedTask.GetOutcome();
        ok.IsSuccess.Should().BeTrue();
        ok.Exception.Should().BeNull();
        ok.ThrowIfFailed();
        ok.ToString().Should().Be("Success");

        Outcome faulted = Task.FromException(new FormatException("x")).GetOutcome();
        faulted.IsFaulted.Should().BeTrue();
        faulted.Exception.Should().BeOfType<FormatException>();
        faulted.Invoking(o => o.ThrowIfFailed()).Should().Throw<FormatException>();

        Outcome canceled = Task.FromCanceled(new CancellationToken(true)).GetOutcome();
        canceled.IsCanceled.Should().BeTrue();
        canceled.Exception.Should().BeAssignableTo<OperationCanceledException>();
        canceled.Invoking(o => o.ThrowIfFailed()).Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Default_IsSuccess()
    {
        default(Outcome<string>).IsSuccess.Should().BeTrue();
        default(Outcome<string>).Value.Should().BeNull();
        default(Outcome).IsSuccess.Should().BeTrue();
        Outcome.Success.IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void Factories_MirrorHowAnAsyncMethodEnds()
    {
        Outcome.FromResult(5).Value.Should().Be(5);
        Outcome.FromException<int>(new FormatException()).IsFaulted.Should().BeTrue();
        Outcome.FromException<int>(new OperationCanceledException()).IsCanceled.Should().BeTrue();
        Outcome.FromException(new FormatException()).IsFaulted.Should().BeTrue();
        Outcome.FromException(new TaskCanceledException()).IsCanceled.Should().BeTrue();
        FluentActions.Invoking(() => Outcome.FromException<int>(null!)).Should().Throw<ArgumentNullException>().WithParameterName("exception");
        FluentActions.Invoking(() => Outcome.FromException(null!)).Should().Throw<ArgumentNullException>().WithParameterName("exception");
    }

    [Fact]
    public void ToOutcome_KeepsStateAndException()
    {
        var error = new FormatException();
        Outcome untyped = Outcome.FromException<int>(error);
        untyped.IsFaulted.Should().BeTrue();
        untyped.Exception.Should().BeSameAs(error);
        Outcome.FromResult(1).ToOutcome().IsSuccess.Should().BeTrue();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<int> ThrowingAsync()
    {
        await Task.Yield();
        throw new FormatException("bad");
    }

    [Fact]
    public void Outcome_FromCanceledTaskWithoutStoredException_ValueThrowsAndExceptionIsCancellation()
    {
        var tcs = new TaskCompletionSource<int>();
        tcs.SetCanceled();
        Outcome<int> o = tcs.Task.GetOutcome();
        o.Exception.Should().BeAssignableTo<OperationCanceledException>();
        FluentActions.Invoking(() => o.Value).Should().Throw<OperationCanceledException>();
        Outcome untyped = ((Task)tcs.Task).GetOutcome();
        untyped.Invoking(u => u.ThrowIfFailed()).Should().Throw<OperationCanceledException>();
        Outcome.FromException(new OperationCanceledException()).Invoking(u => u.ThrowIfFailed()).Should().Throw<OperationCanceledException>();
    }
}
