# The report's front page: the run's key numbers, read from the stages' summaries.


rule report_key_numbers:
    input:
        list(key_number_files(P, KEY_NUMBERS).values()),
    output:
        table=report(
            P.key_numbers("csv"),
            caption="../report/key_numbers.rst",
            category="0 Key numbers",
            labels={"table": "key numbers (CSV)"},
        ),
        page=report(
            P.key_numbers("html"),
            caption="../report/key_numbers.rst",
            category="0 Key numbers",
            labels={"table": "key numbers (page)"},
        ),
    log:
        log_of("report_key_numbers", "all"),
    group:
        "figures"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        runtime=res("figures", "runtime_min"),
        mem_mb=res("figures", "mem_mb"),
        figure_slots=1,
    params:
        **tracked(
            plan=KEY_NUMBERS,
            run_name=S.run_name,
        ),
    script:
        "../scripts/report_key_numbers.py"
