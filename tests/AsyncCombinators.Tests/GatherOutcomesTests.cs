using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class GatherOutcomesTests
{
    [Fact]
    public async Task GatherOutcomes_MixedEndings_OneOutcomePerInputInOrder_NeverThrows()
    {
        var ok = Source<int>();
        var bad = Source<int>();
        var cancel = Source<int>();
        var error = new FormatException();
        Task<Outcome<int>[]> all = Async.GatherOutcomes(new[] { ok.Task, bad.Task, cancel.Task });

        bad.SetException(error);
        cancel.SetCanceled();
        all.IsCompleted.Should().BeFalse("it waits for every input");
        ok.SetResult(5);

        Outcome<int>[] outcomes = await all.Guard();
        outcomes.Should().HaveCount(3);
        outcomes[0].Value.Should().Be(5);
        outcomes[1].Exception.Should().BeSameAs(error);
        outcomes[2].IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void GatherOutcomes_EmptyOrComplete_CompletesSynchronously()
    {
        Async.GatherOutcomes(Array.Empty<Task<int>>()).Result.Should().BeEmpty();
        Async.GatherOutcomes(Array.Empty<Task>()).Result.Should().BeEmpty();
        Task<Outcome<int>[]> done = Async.GatherOutcomes(new[] { Task.FromResult(1), Faulted<int>("x") });
        done.IsCompletedSuccessfully.Should().BeTrue();
        done.Result[1].IsFaulted.Should().BeTrue();
    }

    [Fact]
    public async Task GatherOutcomes_Duplicates_AppearTwice()
    {
        var tcs = Source<int>();
        Task<Outcome<int>[]> all = Async.GatherOutcomes(new[] { tcs.Task, tcs.Task });
        tcs.SetResult(3);
        (await all.Guard()).Select(o => o.Value).Should().Equal(3, 3);
    }

    [Fact]
    public async Task GatherOutcomes_CallerArrayMutatedAfterCall_DoesNotAffectResult()
    {
        var tcs = Source<int>();
        var array = new[] { tcs.Task, Task.FromResult(2) };
        Task<Outcome<int>[]> all = Async.GatherOutcomes(array);
        array[0] = Task.FromResult(100);
        tcs.SetResult(1);
        (await all.Guard()).Select(o => o.Value).Should().Equal(1, 2);
    }

    [Fact]
    public async Task GatherOutcomes_CancellationToken_CancelsWaiting()
    {
        using var cts = new CancellationTokenSource();
        var input = Source<int>();
        Task<Outcome<int>[]> all = Async.GatherOutcomes(new[] { input.Task }, cts.Token);
        cts.Cancel();
        await FluentActions.Awaiting(() => all.Guard()).Should().ThrowAsync<OperationCanceledException>();
        input.Task.IsCompleted.Should().BeFalse();

        Task<Outcome[]> untyped = Async.GatherOutcomes(new Task[] { Source().Task }, cts.Token);
        await FluentActions.Awaiting(() => untyped.Guard()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task GatherOutcomes_Untyped_ReportsEachEnding()
    {
        var a = Source();
        Task<Outcome[]> all = Async.GatherOutcomes(new Task[] { a.Task, Task.FromException(new FormatException()), Task.FromCanceled(new CancellationToken(true)) });
        a.SetResult();
        Outcome[] outcomes = await all.Guard();
        outcomes[0].IsSuccess.Should().BeTrue();
        outcomes[1].IsFaulted.Should().BeTrue();
        outcomes[2].IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task GatherOutcomes_Faults_AreObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await Run(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task Run(UnobservedExceptionMonitor monitor)
        {
            var tcs = Source<int>();
            Task<Outcome<int>[]> all = Async.GatherOutcomes(new[] { tcs.Task, Task.FromException<int>(monitor.NewException()) });
            tcs.SetException(monitor.NewException());
            (await all.Guard()).Should().OnlyContain(o => o.IsFaulted);
        }
    }

    [Fact]
    public async Task GatherOutcomes_TenThousandConcurrent_AllReported()
    {
        const int n = 10_000;
        var sources = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource<int>()).ToArray();
        Task<Outcome<int>[]> all = Async.GatherOutcomes(sources.Select(s => s.Task));
        Parallel.For(0, n, i =>
        {
            if (i % 3 == 0)
            {
                sources[i].SetException(new FormatException());
            }
            else
            {
                sources[i].SetResult(i);
            }
        });
        Outcome<int>[] outcomes = await all.Guard();
        outcomes.Where(o => o.IsFaulted).Should().HaveCount((n + 2) / 3);
        outcomes.Select((o, i) => o.IsSuccess ? o.Value : i).Should().Equal(Enumerable.Range(0, n));
    }

    [Fact]
    public void GatherOutcomes_InvalidArguments_ThrowAtTheCall()
    {
        Call(() => Async.GatherOutcomes((IEnumerable<Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.GatherOutcomes((IEnumerable<Task>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("tasks");
        Call(() => Async.GatherOutcomes(new Task<int>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
        Call(() => Async.GatherOutcomes(new Task[] { Task.CompletedTask, null! })).Should().Throw<ArgumentException>().WithParameterName("tasks");
    }

    [Fact]
    public async Task GatherOutcomes_Faults_ReadOnceSoReadingThemAgainAllocatesNothing()
    {
        var late = Source<int>();
        var lateUntyped = Source();
        var error = new FormatException();
        var cancellation = new OperationCanceledException();
        Task<Outcome<int>[]> typed = Async.GatherOutcomes(new[] { late.Task, Task.FromException<int>(cancellation), Task.FromResult(1) });
        Task<Outcome[]> untyped = Async.GatherOutcomes(new Task[] { lateUntyped.Task, Task.CompletedTask });
        late.SetException(error);
        lateUntyped.SetException(error);
        Outcome<int>[] outcomes = await typed.Guard();
        Outcome[] untypedOutcomes = await untyped.Guard();

        outcomes[0].Exception.Should().BeSameAs(error);
        outcomes[1].IsFaulted.Should().BeTrue("a task faulted with a cancellation is faulted, not canceled");
        outcomes[1].Exception.Should().BeSameAs(cancellation);
        outcomes[2].Value.Should().Be(1);
        untypedOutcomes[0].Exception.Should().BeSameAs(error);
        untypedOutcomes[1].IsSuccess.Should().BeTrue();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            _ = outcomes[0].Exception;
            _ = untypedOutcomes[0].Exception;
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public async Task GatherOutcomes_CanceledThenInputsFault_FaultsStillObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await Run(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task Run(UnobservedExceptionMonitor monitor)
        {
            using var cts = new CancellationTokenSource();
            // Inline continuations: once SetException returns, GatherOutcomes has seen the fault.
            var first = new TaskCompletionSource<int>();
            var second = new TaskCompletionSource();
            Task<Outcome<int>[]> typed = Async.GatherOutcomes(new[] { first.Task, Task.FromResult(1) }, cts.Token);
            Task<Outcome[]> untyped = Async.GatherOutcomes(new Task[] { second.Task }, cts.Token);
            cts.Cancel();
            await FluentActions.Awaiting(() => typed.Guard()).Should().ThrowAsync<OperationCanceledException>();
            await FluentActions.Awaiting(() => untyped.Guard()).Should().ThrowAsync<OperationCanceledException>();

            first.SetException(monitor.NewException());
            second.SetException(monitor.NewException());
        }
    }

    [Fact]
    public async Task GatherOutcomes_OverAList_ReportsEachInInputOrder()
    {
        var a = Source<int>();
        var b = Source<int>();
        var list = new List<Task<int>> { a.Task, b.Task, Task.FromResult(3) };
        Task<Outcome<int>[]> all = Async.GatherOutcomes(list);
        list.Clear();
        b.SetResult(2);
        a.SetCanceled();
        Outcome<int>[] outcomes = await all.Guard();
        outcomes[0].IsCanceled.Should().BeTrue();
        outcomes[1].Value.Should().Be(2);
        outcomes[2].Value.Should().Be(3);
    }
}
