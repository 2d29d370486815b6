using AsyncCombinators.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using Verify = AsyncCombinators.Analyzers.Tests.Infrastructure.Verifier<AsyncCombinators.Analyzers.WhenAllResultsAnalyzer, AsyncCombinators.Analyzers.CodeFixes.WhenAllResultsCodeFix>;

namespace AsyncCombinators.Analyzers.Tests;

public class WhenAllResultsTests
{
    [Fact]
    public Task TopLevelStatements_ReportsAndFixes() =>
        new Verify.Test
        {
            TestCode =
                """
                using System;
                using System.Threading.Tasks;

                Task<string> userTask = Task.FromResult("ada");
                Task<int> countTask = Task.FromResult(3);
                await [|Task.WhenAll(userTask, countTask)|];
                Console.WriteLine(userTask.Result + " " + countTask.Result);
                """,
            FixedCode =
                """
                using System;
                using System.Threading.Tasks;
                using AsyncCombinators;

                Task<string> userTask = Task.FromResult("ada");
                Task<int> countTask = Task.FromResult(3);
                var (user, count) = await Async.Gather(userTask, countTask);
                Console.WriteLine(user + " " + count);
                """,
            TestState = { OutputKind = OutputKind.ConsoleApplication },
        }.RunAsync();

    [Fact]
    public Task TwoTasksReadWithResult_ReportsAndFixesToGatherTuple() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<string> M(Task<string> userTask, Task<int> countTask)
                {
                    // Both at once.
                    await [|Task.WhenAll(userTask, countTask)|]; // no order
                    return userTask.Result + " " + countTask.Result;
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<string> M(Task<string> userTask, Task<int> countTask)
                {
                    // Both at once.
                    var (user, count) = await Async.Gather(userTask, countTask); // no order
                    return user + " " + count;
                }
            }
            """);

    [Fact]
    public Task ThreeTasksReadWithAwait_FixKeepsConfigureAwaitAndReplacesEveryRead() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<long> M()
                {
                    Task<int> a = Task.FromResult(1);
                    Task<int> b = Task.FromResult(2);
                    Task<long> c = Task.FromResult(3L);
                    await [|Task.WhenAll(a, b, c)|].ConfigureAwait(false);
                    int x = await a;
                    if (x > 0)
                    {
                        x += await b.ConfigureAwait(false);
                    }

                    return x + c.Result + (await a);
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<long> M()
                {
                    Task<int> a = Task.FromResult(1);
                    Task<int> b = Task.FromResult(2);
                    Task<long> c = Task.FromResult(3L);
                    var (aResult, bResult, cResult) = await Async.Gather(a, b, c).ConfigureAwait(false);
                    int x = aResult;
                    if (x > 0)
                    {
                        x += bResult;
                    }

                    return x + cResult + (aResult);
                }
            }
            """);

    [Fact]
    public Task FiveTasksWithTakenNames_FixPicksFreeNames() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> oneTask, Task<int> twoTask, Task<int> threeTask, Task<int> fourTask, Task<int> intTask)
                {
                    int one = 0;
                    await [|Task.WhenAll(oneTask, twoTask, threeTask, fourTask, intTask)|];
                    int four = 4;
                    return one + four + oneTask.Result + twoTask.Result + threeTask.Result + fourTask.Result + intTask.Result;
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(Task<int> oneTask, Task<int> twoTask, Task<int> threeTask, Task<int> fourTask, Task<int> intTask)
                {
                    int one = 0;
                    var (one2, two, three, four2, intResult) = await Async.Gather(oneTask, twoTask, threeTask, fourTask, intTask);
                    int four = 4;
                    return one + four + one2 + two + three + four2 + intResult;
                }
            }
            """);

    [Fact]
    public Task OnlyOneTaskRead_ReportsAndFixes() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> first, Task<string> second)
                {
                    await [|Task.WhenAll(first, second)|];
                    return first.Result;
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(Task<int> first, Task<string> second)
                {
                    var (firstResult, secondResult) = await Async.Gather(first, second);
                    return firstResult;
                }
            }
            """);

    [Fact]
    public Task TaskNamedWithAKeyword_FixKeepsTheAt() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<string> M(Task<string> @event, Task<int> countTask)
                {
                    await [|Task.WhenAll(@event, countTask)|];
                    return @event.Result + countTask.Result;
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<string> M(Task<string> @event, Task<int> countTask)
                {
                    var (eventResult, count) = await Async.Gather(@event, countTask);
                    return eventResult + count;
                }
            }
            """);

    [Fact]
    public Task ReadInLocalFunction_FixLeavesItBecauseItMayRunBeforeTheGather() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> a, Task<int> b)
                {
                    Log();
                    await [|Task.WhenAll(a, b)|];
                    Log();
                    return a.Result + b.Result;

                    void Log() => Console.WriteLine(a.IsCompleted ? a.Result : -1);
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(Task<int> a, Task<int> b)
                {
                    Log();
                    var (aResult, bResult) = await Async.Gather(a, b);
                    Log();
                    return aResult + bResult;

                    void Log() => Console.WriteLine(a.IsCompleted ? a.Result : -1);
                }
            }
            """);

    [Fact]
    public Task TwoWhenAllsInOneDocument_FixAllInDocumentFixesBothInOnePass() =>
        new Verify.Test
        {
            TestCode = """
                using System.Threading.Tasks;

                class C
                {
                    async Task<int> M(Task<int> aTask, Task<int> bTask)
                    {
                        await [|Task.WhenAll(aTask, bTask)|];
                        return aTask.Result + bTask.Result;
                    }

                    async Task<int> N(Task<int> aTask, Task<int> bTask)
                    {
                        await [|Task.WhenAll(bTask, aTask)|];
                        return await aTask - await bTask;
                    }
                }
                """,
            FixedCode = """
                using System.Threading.Tasks;
                using AsyncCombinators;

                class C
                {
                    async Task<int> M(Task<int> aTask, Task<int> bTask)
                    {
                        var (a, b) = await Async.Gather(aTask, bTask);
                        return a + b;
                    }

                    async Task<int> N(Task<int> aTask, Task<int> bTask)
                    {
                        var (b, a) = await Async.Gather(bTask, aTask);
                        return a - b;
                    }
                }
                """,
            NumberOfFixAllInDocumentIterations = 1,
            NumberOfFixAllIterations = 1,
        }.RunAsync();

    [Fact]
    public Task TwoWhenAllsReadingTheSameTask_FixAllFixesTheSecondInASecondPass() =>
        new Verify.Test
        {
            TestCode = """
                using System.Threading.Tasks;

                class C
                {
                    async Task<int> M(Task<int> a, Task<int> b, Task<int> c)
                    {
                        await [|Task.WhenAll(a, b)|];
                        int x = a.Result + b.Result;
                        await [|Task.WhenAll(a, c)|];
                        return x + a.Result + c.Result;
                    }
                }
                """,
            FixedCode = """
                using System.Threading.Tasks;
                using AsyncCombinators;

                class C
                {
                    async Task<int> M(Task<int> a, Task<int> b, Task<int> c)
                    {
                        var (aResult, bResult) = await Async.Gather(a, b);
                        int x = aResult + bResult;
                        var (aResult2, cResult) = await Async.Gather(a, c);
                        return x + aResult + cResult;
                    }
                }
                """,
            NumberOfFixAllInDocumentIterations = 2,
            NumberOfFixAllInProjectIterations = 2,
            NumberOfFixAllIterations = 2,
        }.RunAsync();

    [Fact]
    public Task WhenAllsInTwoDocuments_FixAllInProjectFixesBoth()
    {
        var test = new Verify.Test
        {
            // Fix all in document takes one pass per document; in project, one pass in all.
            NumberOfFixAllInDocumentIterations = 2,
            NumberOfFixAllInProjectIterations = 1,
            NumberOfFixAllIterations = 1,
        };
        test.TestState.Sources.Add(("A.cs", """
            using System.Threading.Tasks;

            class A
            {
                async Task<int> M(Task<int> xTask, Task<int> yTask)
                {
                    await [|Task.WhenAll(xTask, yTask)|];
                    return xTask.Result * yTask.Result;
                }
            }
            """));
        test.TestState.Sources.Add(("B.cs", """
            using System.Threading.Tasks;

            class B
            {
                async Task<string> M(Task<string> nameTask, Task<bool> flagTask)
                {
                    await [|Task.WhenAll(nameTask, flagTask)|];
                    return flagTask.Result ? nameTask.Result : "";
                }
            }
            """));
        test.FixedState.Sources.Add(("A.cs", """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class A
            {
                async Task<int> M(Task<int> xTask, Task<int> yTask)
                {
                    var (x, y) = await Async.Gather(xTask, yTask);
                    return x * y;
                }
            }
            """));
        test.FixedState.Sources.Add(("B.cs", """
            using System.Threading.Tasks;
            using AsyncCombinators;

            class B
            {
                async Task<string> M(Task<string> nameTask, Task<bool> flagTask)
                {
                    var (name, flag) = await Async.Gather(nameTask, flagTask);
                    return flag ? name : "";
                }
            }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task TasksNotReadAfterwards_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task M(Task<int> a, Task<int> b)
                {
                    await Task.WhenAll(a, b);
                    Console.WriteLine("done");
                }
            }
            """);

    [Fact]
    public Task TaskReassignedAfterwards_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> a, Task<int> b)
                {
                    await Task.WhenAll(a, b);
                    a = Task.FromResult(3);
                    return a.Result + b.Result;
                }
            }
            """);

    [Fact]
    public Task UntypedTasksSixTasksOrUsedResult_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task a, Task b, Task<int> c, Task<int> d, Task<int> e, Task<int> f, Task<int> g, Task<int> h)
                {
                    await Task.WhenAll(a, b);
                    await a;
                    await Task.WhenAll(c, d, e, f, g, h);
                    int[] all = await Task.WhenAll(c, d);
                    return c.Result + all[0];
                }
            }
            """);

    [Fact]
    public Task WhenAllAwaitedWithSuppressThrowing_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> a, Task<int> b)
                {
                    await Task.WhenAll(a, b).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    return (a.IsCompletedSuccessfully ? a.Result : 0) + (b.IsCompletedSuccessfully ? await b : 0);
                }
            }
            """);

    [Fact]
    public Task QueryRangeVariableTakesTheName_FixPicksAnotherName() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int[]> itemTask, Task<int> countTask)
                {
                    await [|Task.WhenAll(itemTask, countTask)|];
                    var q = from item in itemTask.Result where item > countTask.Result select item;
                    return q.Count();
                }
            }
            """,
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(Task<int[]> itemTask, Task<int> countTask)
                {
                    var (item2, count) = await Async.Gather(itemTask, countTask);
                    var q = from item in item2 where item > count select item;
                    return q.Count();
                }
            }
            """);

    [Fact]
    public Task CatchVariableTakesTheName_FixPicksAnotherName() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> userTask, Task<int> countTask)
                {
                    await [|Task.WhenAll(userTask, countTask)|];
                    try
                    {
                        return user(userTask.Result) + countTask.Result;
                    }
                    catch (Exception count)
                    {
                        return count.HResult;
                    }

                    static int user(int x) => x;
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(Task<int> userTask, Task<int> countTask)
                {
                    var (user2, count2) = await Async.Gather(userTask, countTask);
                    try
                    {
                        return user(user2) + count2;
                    }
                    catch (Exception count)
                    {
                        return count.HResult;
                    }

                    static int user(int x) => x;
                }
            }
            """);
}
