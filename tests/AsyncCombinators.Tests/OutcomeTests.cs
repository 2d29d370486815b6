using System.Reflection;
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
    public void Outcome_Default_IsSuccess()
    {
        default(Outcome<string>).IsSuccess.Should().BeTrue();
        default(Outcome<string>).Value.Should().BeNull();
        default(Outcome).IsSuccess.Should().BeTrue();
        Outcome.Success.IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void OutcomeFactories_EachEnding_MirrorHowAnAsyncMethodEnds()
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
    public void ToOutcome_EveryTaskState_KeepsStateAndException()
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

    [Fact]
    public void Outcome_IsOneReferenceInSize_WhateverTheValueType()
    {
        // One reference: an Outcome<int>[] of 10,000 stays off the large object heap, and gathering outcomes costs no more
        // than a reference per input.
        Unsafe.SizeOf<Outcome<int>>().Should().Be(IntPtr.Size);
        Unsafe.SizeOf<Outcome<Guid>>().Should().Be(IntPtr.Size);
        Unsafe.SizeOf<Outcome<string>>().Should().Be(IntPtr.Size);
        Unsafe.SizeOf<Outcome>().Should().Be(IntPtr.Size);
    }

    [Fact]
    public void FromResult_ValuesThatAreTasksOrExceptions_AreStillValues()
    {
        // An outcome reads a task or an exception as its source; a VALUE of such a type must not be read that way.
        Task faulted = Task.FromException(new FormatException());
        Outcome<Task> ofTask = Outcome.FromResult(faulted);
        ofTask.IsSuccess.Should().BeTrue();
        ofTask.IsFaulted.Should().BeFalse();
        ofTask.Exception.Should().BeNull();
        ofTask.Value.Should().BeSameAs(faulted);
        ofTask.TryGetValue(out Task? read).Should().BeTrue();
        read.Should().BeSameAs(faulted);
        ofTask.ToOutcome().IsSuccess.Should().BeTrue();
        ofTask.ToString().Should().StartWith("Success(");

        var canceled = new OperationCanceledException();
        Outcome<Exception> ofException = Outcome.FromResult<Exception>(canceled);
        ofException.IsSuccess.Should().BeTrue();
        ofException.IsCanceled.Should().BeFalse();
        ofException.Value.Should().BeSameAs(canceled);
        ((Outcome)ofException).IsSuccess.Should().BeTrue();

        Outcome<object> exceptionAsObject = Outcome.FromResult<object>(new FormatException());
        exceptionAsObject.IsSuccess.Should().BeTrue();
        exceptionAsObject.Value.Should().BeOfType<FormatException>();

        Outcome<Task<int>> canceledTask = Outcome.FromResult(Task.FromCanceled<int>(new CancellationToken(true)));
        canceledTask.IsSuccess.Should().BeTrue();
        canceledTask.Value.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void FromResult_AnyValue_ReadsBackUnchanged()
    {
        Outcome.FromResult<object>(42).Value.Should().Be(42);
        Outcome.FromResult(0).Value.Should().Be(0);
        Outcome.FromResult(0).IsSuccess.Should().BeTrue();
        var id = Guid.NewGuid();
        Outcome.FromResult(id).Value.Should().Be(id);
        Outcome.FromResult((string?)null).Value.Should().BeNull();
        Outcome.FromResult((string?)null).IsSuccess.Should().BeTrue();
        Outcome.FromResult("x").ToString().Should().Be("Success(x)");
        Outcome.FromResult<int?>(null).Value.Should().BeNull();
        Outcome.FromResult<int?>(3).Value.Should().Be(3);
        Outcome.FromResult(Outcome.FromResult(7)).Value.Value.Should().Be(7);
        Outcome.FromResult(Outcome.FromException<int>(new FormatException())).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void GetOutcome_FaultedWithCancellationFirst_IsFaultedWithThatException()
    {
        // Task.FromException with an OperationCanceledException faults (it does not cancel): the outcome says so, where
        // Outcome.FromException, which mirrors an async method, would say canceled.
        var cancellation = new OperationCanceledException();
        Task<int> task = Task.FromException<int>(cancellation);
        task.IsFaulted.Should().BeTrue();

        Outcome<int> typed = task.GetOutcome();
        typed.IsFaulted.Should().BeTrue();
        typed.IsCanceled.Should().BeFalse();
        typed.IsSuccess.Should().BeFalse();
        typed.Exception.Should().BeSameAs(cancellation);
        FluentActions.Invoking(() => typed.Value).Should().Throw<OperationCanceledException>().Which.Should().BeSameAs(cancellation);
        typed.ToString().Should().Be("Faulted(OperationCanceledException: " + cancellation.Message + ")");

        Outcome untyped = ((Task)task).GetOutcome();
        untyped.IsFaulted.Should().BeTrue();
        untyped.Exception.Should().BeSameAs(cancellation);
        typed.ToOutcome().IsFaulted.Should().BeTrue();
    }

    [Fact]
    public void GetOutcome_Faulted_ReadingTheExceptionAgainAllocatesNothing()
    {
        Outcome<int> outcome = Task.FromException<int>(new FormatException()).GetOutcome();
        _ = outcome.Exception;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            _ = outcome.Exception;
            _ = outcome.IsFaulted;
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0, "the fault is read once, when the outcome is made");
    }

    [Fact]
    public void FromResult_OfAnObject_AllocatesNothing()
    {
        // A value that cannot read as a task or an exception is the outcome's one reference itself.
        const string value = "x";
        _ = Outcome.FromResult(value);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Outcome<string> outcome = Outcome.FromResult(value);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        outcome.Value.Should().BeSameAs(value);
        ((Outcome)outcome).IsSuccess.Should().BeTrue();
        ((Outcome)outcome).Exception.Should().BeNull();
    }

    [Fact]
    public async Task Equality_IsByValueForSuccesses_WhereverTheOutcomeCameFrom()
    {
        // Outcomes compare as values: a success by its value (however it was made), a fault by its exception, a
        // cancellation by where it came from, so a consumer can write outcomes.Should().Equal(Outcome.FromResult(1), ...).
        var source = new TaskCompletionSource<int>();
        Task<Outcome<int>[]> gathered = Async.GatherOutcomes(new[] { source.Task, Task.FromResult(2) });
        source.SetResult(1);
        Outcome<int>[] outcomes = await gathered;
        outcomes.Should().Equal(Outcome.FromResult(1), Outcome.FromResult(2));
        (outcomes[0] == Outcome.FromResult(1)).Should().BeTrue();
        (outcomes[0] != Outcome.FromResult(2)).Should().BeTrue();
        outcomes[0].GetHashCode().Should().Be(Outcome.FromResult(1).GetHashCode());
        Task.FromResult(1).GetOutcome().Should().Be(outcomes[0]);
        default(Outcome<int>).Should().Be(Outcome.FromResult(0));
        Outcome.FromResult<string?>(null).Should().Be(default(Outcome<string?>));
        Outcome.FromResult("a").Should().Be(Outcome.FromResult(new string('a', 1)));
        Outcome.FromResult(1).Equals((object)Outcome.FromResult(1)).Should().BeTrue();
        Outcome.FromResult(1).Equals((object)1).Should().BeFalse();
        Outcome.FromResult(1).Should().NotBe(Outcome.FromException<int>(new FormatException()));

        Task<int> faultedTask = Task.FromException<int>(new FormatException());
        Exception error = faultedTask.Exception!.InnerExceptions[0];
        faultedTask.GetOutcome().Should().Be(Outcome.FromException<int>(error));
        (faultedTask.GetOutcome() == Outcome.FromException<int>(new FormatException())).Should().BeFalse("another exception");
        faultedTask.GetOutcome().GetHashCode().Should().Be(Outcome.FromException<int>(error).GetHashCode());

        Task<int> canceledTask = Task.FromCanceled<int>(new CancellationToken(true));
        canceledTask.GetOutcome().Should().Be(canceledTask.GetOutcome());
        canceledTask.GetOutcome().GetHashCode().Should().Be(canceledTask.GetOutcome().GetHashCode());
        canceledTask.GetOutcome().Should().NotBe(Task.FromCanceled<int>(new CancellationToken(true)).GetOutcome(), "another cancellation");
        var cancellation = new OperationCanceledException();
        Outcome.FromException<int>(cancellation).Should().Be(Outcome.FromException<int>(cancellation));
        Outcome.FromException<int>(cancellation).Should().NotBe(Task.FromException<int>(cancellation).GetOutcome(), "canceled is not faulted");

        Task boxedTask = Task.CompletedTask;
        Outcome.FromResult(boxedTask).Should().Be(Outcome.FromResult(boxedTask));
        Outcome.FromResult(boxedTask).GetHashCode().Should().Be(Outcome.FromResult(boxedTask).GetHashCode());
    }

    [Fact]
    public void Equality_Untyped_AllSuccessesEqual_FailuresByException()
    {
        ((Task)Task.FromResult(1)).GetOutcome().Should().Be(Outcome.Success);
        (Outcome.Success == Task.CompletedTask.GetOutcome()).Should().BeTrue();
        Outcome.FromResult("x").ToOutcome().Should().Be(Outcome.Success);
        Outcome.Success.GetHashCode().Should().Be(Task.CompletedTask.GetOutcome().GetHashCode());
        var error = new FormatException();
        Outcome.FromException(error).Should().Be(Outcome.FromException<int>(error).ToOutcome());
        (Outcome.FromException(error) != Outcome.FromException(new FormatException())).Should().BeTrue();
        Outcome.FromException(error).Equals((object)Outcome.FromException(error)).Should().BeTrue();
        Outcome.FromException(error).Equals(null).Should().BeFalse();
        Outcome.FromException(error).GetHashCode().Should().Be(Outcome.FromException(error).GetHashCode());
        Task canceled = Task.FromCanceled(new CancellationToken(true));
        canceled.GetOutcome().Should().Be(canceled.GetOutcome());
        canceled.GetOutcome().Should().NotBe(Outcome.Success);
    }

    [Fact]
    public async Task Equality_FailuresFromDifferentSources_CompareByExceptionAndState()
    {
        // Two tasks faulted with the same cancellation exception: the same fault, though read from different tasks.
        var cancellation = new OperationCanceledException();
        Outcome<int> first = Task.FromException<int>(cancellation).GetOutcome();
        Outcome<int> second = Task.FromException<int>(cancellation).GetOutcome();
        first.Should().Be(second);
        first.GetHashCode().Should().Be(second.GetHashCode());
        first.ToOutcome().Should().Be(second.ToOutcome());
        first.ToOutcome().GetHashCode().Should().Be(second.ToOutcome().GetHashCode());
        first.Should().NotBe(Task.FromException<int>(new OperationCanceledException()).GetOutcome());

        // An async method canceled by an exception keeps it: its outcome equals a cancellation made from that exception.
        var thrown = new OperationCanceledException();
        Task<int> canceled = CanceledAsync(thrown);
        await FluentActions.Awaiting(() => canceled).Should().ThrowAsync<OperationCanceledException>();
        canceled.GetOutcome().Should().Be(Outcome.FromException<int>(thrown));
        canceled.GetOutcome().GetHashCode().Should().Be(Outcome.FromException<int>(thrown).GetHashCode());
        ((Task)canceled).GetOutcome().Should().Be(Outcome.FromException(thrown));
    }

    [Fact]
    public void GetHashCode_DifferentOutcomes_TellsThemApart()
    {
        Outcome.FromResult(1).GetHashCode().Should().NotBe(Outcome.FromResult(2).GetHashCode());
        Outcome.FromResult(1).GetHashCode().Should().Be(1.GetHashCode());
        Outcome.FromResult((string?)null).GetHashCode().Should().Be(0);
        Outcome.Success.GetHashCode().Should().NotBe(Task.FromCanceled(new CancellationToken(true)).GetOutcome().GetHashCode());
        // Faults hash by their exception: ten different ones do not all share one hash code (as they would with a constant).
        Enumerable.Range(0, 10).Select(_ => Outcome.FromException(new FormatException()).GetHashCode()).Distinct().Should().HaveCountGreaterThan(1);
        Enumerable.Range(0, 10).Select(_ => Outcome.FromException<int>(new FormatException()).GetHashCode()).Distinct().Should().HaveCountGreaterThan(1);
    }

    [Fact]
    public void TryGetValue_Failed_OutValueIsAnnotatedMaybeNullWhenFalse()
    {
        Outcome.FromException<string>(new FormatException()).TryGetValue(out string? value).Should().BeFalse();
        value.Should().BeNull("a failed outcome gives default, so the out parameter must not promise a non-null value");

        ParameterInfo parameter = typeof(Outcome<>).GetMethod(nameof(Outcome<int>.TryGetValue))!.GetParameters()[0];
        NullableAttributeArguments(parameter.GetCustomAttributesData(), "MaybeNullWhenAttribute").Should().Equal(false);
    }

    [Theory]
    [InlineData(typeof(Outcome), nameof(Outcome.IsSuccess), false)]
    [InlineData(typeof(Outcome), nameof(Outcome.IsFaulted), true)]
    [InlineData(typeof(Outcome), nameof(Outcome.IsCanceled), true)]
    [InlineData(typeof(Outcome<>), nameof(Outcome.IsSuccess), false)]
    [InlineData(typeof(Outcome<>), nameof(Outcome.IsFaulted), true)]
    [InlineData(typeof(Outcome<>), nameof(Outcome.IsCanceled), true)]
    public void StateProperty_TellsTheCompilerWhenExceptionIsNotNull(Type outcomeType, string property, bool failedWhen)
    {
        // So that `o.IsSuccess ? ... : o.Exception.Message` compiles without `!` under nullable warnings as errors.
        PropertyInfo info = outcomeType.GetProperty(property)!;
        NullableAttributeArguments(info.GetCustomAttributesData(), "MemberNotNullWhenAttribute").Should().Equal(failedWhen, nameof(Outcome.Exception));
    }

    /// <summary>
    /// The arguments of a nullable-analysis attribute, found by name: the netstandard2.0 build carries its own internal
    /// copies, which the compiler honours as it does the BCL's.
    /// </summary>
    private static IEnumerable<object?> NullableAttributeArguments(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.Single(a => a.AttributeType.FullName == "System.Diagnostics.CodeAnalysis." + name).ConstructorArguments.Select(a => a.Value);

#pragma warning disable CS1998 // Throws synchronously on purpose: the task ends canceled with this exception.
    private static async Task<int> CanceledAsync(OperationCanceledException exception) => throw exception;
#pragma warning restore CS1998
}
