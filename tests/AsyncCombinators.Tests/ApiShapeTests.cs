using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

/// <summary>Every call shape of the API contract, compiled exactly as the contract writes it.</summary>
public class ApiShapeTests
{
    private static Task<int> FetchAsync(CancellationToken ct) => Task.FromResult(ct.CanBeCanceled ? 1 : 0);

    private static Task DoAsync(CancellationToken ct) => Task.Delay(1, ct);

    [Fact]
    public async Task ApiContractV1_EveryCallShape_CompilesWithTheDocumentedTypes()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken cancellationToken = cts.Token;
        Task<int> t1 = Task.FromResult(1), t2 = Task.FromResult(2), t3 = Task.FromResult(3);
        List<Task<int>> listOfTasks = new() { t1, t2, t3 };
        Task a = Task.CompletedTask, b = Task.Delay(1);
        Task<string> userTask = Task.FromResult("ada");
        Task<int> countTask = Task.FromResult(7);
        Task<int> completedTask = t1, hotTask = Task.FromResult(5);
        Task hotPlainTask = Task.CompletedTask;

        // Outcome
        Outcome<int> o = t1.GetOutcome();
        bool s = o.IsSuccess; bool f = o.IsFaulted; bool c = o.IsCanceled;
        int v = o.Value;
        Exception? e = o.Exception;
        Outcome o2 = a.GetOutcome();
        o2.ThrowIfFailed();
        Outcome<int> o3 = completedTask.GetOutcome();
        (s, f, c, v, e, o3.Value).Should().Be((true, false, false, 1, null, 1));

        // Gather
        int[] r = await Async.Gather(new[] { t1, t2, t3 });
        int[] r2 = await Async.Gather(listOfTasks);
        int[] r3 = await Async.Gather(listOfTasks, cancellationToken);
        await Async.Gather(new Task[] { a, b });
        var (user, count) = await Async.Gather(userTask, countTask);
        Outcome<int>[] oa = await Async.GatherOutcomes(listOfTasks);
        Outcome<int>[] ob = await Async.GatherOutcomes(listOfTasks, cancellationToken);
        Outcome[] oc = await Async.GatherOutcomes(new Task[] { a, b });
        r.Should().Equal(1, 2, 3);
        r2.Should().Equal(r3);
        (user, count).Should().Be(("ada", 7));
        oa.Concat(ob).Select(x => x.Value).Should().Equal(1, 2, 3, 1, 2, 3);
        oc.Should().OnlyContain(x => x.IsSuccess);

        // AsCompleted
        int sum = 0;
        await foreach (Task<int> t in Async.AsCompleted(listOfTasks)) { int value = await t; sum += value; }
        await foreach (Task<int> t in Async.AsCompleted(listOfTasks, TimeSpan.FromSeconds(1))) { sum += await t; }
        await foreach (Task<int> t in Async.AsCompleted(listOfTasks, TimeSpan.FromSeconds(1), cancellationToken)) { sum += await t; }
        await foreach (Task t in Async.AsCompleted(new Task[] { a, b })) { await t; }
        await foreach (var t in Async.AsCompleted(listOfTasks).WithCancellation(cancellationToken)) { sum += await t; }
        sum.Should().Be(24);

        // Wait
        WaitResult<Task<int>> w = await Async.Wait(listOfTasks);
        {
            var (done, pending) = await Async.Wait(listOfTasks, ReturnWhen.FirstCompleted);
            done.Should().NotBeEmpty();
            pending.Should().BeEmpty();
        }
        {
            var (done, pending) = await Async.Wait(listOfTasks, ReturnWhen.FirstException, TimeSpan.FromSeconds(1));
            done.Should().HaveCount(3);
            pending.Should().BeEmpty();
        }
        {
            var (done, pending) = await Async.Wait(listOfTasks, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(1), cancellationToken);
            done.Should().HaveCount(3);
            pending.Should().BeEmpty();
        }
        WaitResult<Task> w2 = await Async.Wait(new Task[] { a, b }, ReturnWhen.FirstCompleted);
        WaitResult<Task> w3 = await Async.Wait(new Task[] { a, b }, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(1), cancellationToken);
        IReadOnlyCollection<Task<int>> d = w.Done, p = w.Pending;
        d.Should().HaveCount(3);
        p.Should().BeEmpty();
        w2.Done.Should().NotBeEmpty();
        w3.Done.Should().HaveCount(2);

        // WaitFor
        int v1 = await Async.WaitFor(ct => FetchAsync(ct), TimeSpan.FromSeconds(2));
        int v2 = await Async.WaitFor(ct => FetchAsync(ct), TimeSpan.FromSeconds(2), cancellationToken);
        await Async.WaitFor(ct => DoAsync(ct), TimeSpan.FromSeconds(2));
        await Async.WaitFor(ct => DoAsync(ct), TimeSpan.FromSeconds(2), cancellationToken);
        int v3 = await Async.WaitFor(hotTask, TimeSpan.FromSeconds(2));
        int v4 = await Async.WaitFor(hotTask, TimeSpan.FromSeconds(2), cancellationToken);
        await Async.WaitFor(hotPlainTask, TimeSpan.FromSeconds(2), cancellationToken);
        (v1, v2, v3, v4).Should().Be((1, 1, 5, 5));
    }

    [Fact]
    public void PublicTypes_Kinds_ReadOnlyStructsSealedAndStaticClasses()
    {
        // PublicAPI.Shipped.txt, checked by the public API analyzer, lists every public type and member, but not what
        // kind of type each is: a class that loses `sealed` or a struct that loses `readonly` is a breaking change too.
        typeof(Async).Assembly.GetExportedTypes().Should().HaveCount(8);
        new[] { typeof(Outcome), typeof(Outcome<>), typeof(WaitResult<>) }.Where(t => !t.IsValueType || !IsReadOnly(t)).Should().BeEmpty("they are readonly structs");
        new[] { typeof(Async), typeof(OutcomeExtensions) }.Should().OnlyContain(t => t.IsClass && t.IsAbstract && t.IsSealed);
        typeof(TaskGroup).Should().BeSealed();
        typeof(ConcurrencyOptions).Should().BeSealed();
        typeof(ConcurrencyOptions).GetProperties().Should().OnlyContain(p => p.SetMethod == null || p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit"), "options are immutable once built");
        typeof(ReturnWhen).IsEnum.Should().BeTrue();

        // By name: a netstandard2.0 build carries the compiler's own copy of the attribute, not the runtime's.
        static bool IsReadOnly(Type type) =>
            type.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.IsReadOnlyAttribute");
    }

    [Fact]
    public async Task TimeProviderOverloads_EveryTimedCall_TakeTheProviderBeforeTheToken()
    {
        var timeProvider = new FakeTimeProvider();
        CancellationToken ct = CancellationToken.None;
        var tasks = new[] { Task.FromResult(1) };
        Func<CancellationToken, Task<int>> op = _ => Task.FromResult(2);

        (await Async.WaitFor(op, TimeSpan.FromSeconds(5), timeProvider, ct)).Should().Be(2);
        var (done, pending) = await Async.Wait(tasks, ReturnWhen.AllCompleted, TimeSpan.FromSeconds(5), timeProvider, ct);
        done.Should().HaveCount(1);
        pending.Should().BeEmpty();
        await foreach (var t in Async.AsCompleted(tasks, TimeSpan.FromSeconds(5), timeProvider, ct))
        {
            t.Should().BeSameAs(tasks[0]);
        }
    }

    private static Task<string> GetUserAsync(CancellationToken ct) => Task.FromResult(ct.CanBeCanceled ? "ada" : "?");

    private static Task<int> CountAsync(CancellationToken ct) => Task.FromResult(ct.CanBeCanceled ? 7 : 0);

    private static Task<int> AAsync(CancellationToken ct) => Task.FromResult(1);

    private static Task BAsync(CancellationToken ct) => Task.Delay(1, ct);

    [Fact]
    public async Task ApiContractV2_EveryCallShape_CompilesWithTheDocumentedTypes()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken ct = cts.Token, cancellationToken = cts.Token;
        IEnumerable<Func<CancellationToken, Task<int>>> ops = Enumerable.Range(0, 5).Select(i => (Func<CancellationToken, Task<int>>)(_ => Task.FromResult(i)));

        // Gather over operations
        int[] r = await Async.Gather(ops);
        int[] r2 = await Async.Gather(ops, maxConcurrency: 4);
        int[] r3 = await Async.Gather(ops, maxConcurrency: 4, cancellationToken: ct);
        var (user, count) = await Async.Gather(ct => GetUserAsync(ct), ct => CountAsync(ct));
        Outcome<int>[] o = await Async.GatherOutcomes(ops, maxConcurrency: 4, cancellationToken: ct);
        r.Should().Equal(0, 1, 2, 3, 4);
        r2.Should().Equal(r);
        r3.Should().Equal(r);
        (user, count).Should().Be(("ada", 7));
        o.Select(x => x.Value).Should().Equal(r);

        // AsCompleted over operations
        int sum = 0;
        await foreach (var (index, task) in Async.AsCompleted(ops, maxConcurrency: 4)) { int v = await task; sum += v - index; }
        await foreach (var (index, task) in Async.AsCompleted(ops, maxConcurrency: 4, cancellationToken: ct)) { sum += await task - index; }
        sum.Should().Be(0);

        // FirstSuccessful
        int f1 = await Async.FirstSuccessful(ops);
        int f2 = await Async.FirstSuccessful(ops, staggerDelay: TimeSpan.FromMilliseconds(200));
        int f3 = await Async.FirstSuccessful(ops, staggerDelay: TimeSpan.FromMilliseconds(200), cancellationToken: ct);
        int f4 = await Async.FirstSuccessful(ops, TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        (f1, f2, f3, f4).Should().Be((0, 0, 0, 0));

        // TaskGroup
        Task<int> a;
        Task b;
        await using (var group = new TaskGroup(cancellationToken))
        {
            a = group.Run(ct => AAsync(ct));
            b = group.Run(ct => BAsync(ct));
            CancellationToken token = group.Token;
            token.CanBeCanceled.Should().BeTrue();
        }

        (await a).Should().Be(1);
        b.IsCompletedSuccessfully.Should().BeTrue();
        await using (var plain = new TaskGroup())
        {
            _ = plain.Run(ct => AAsync(ct));
        }

        int ran = 0;
        await TaskGroup.RunAsync(async group => { _ = group.Run(ct => AAsync(ct)); await Task.Yield(); ran++; }, cancellationToken);
        ran.Should().Be(1);
    }
}
