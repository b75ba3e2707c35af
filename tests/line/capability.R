# rig line's capability figures against every value the runs were judged
# from (tests/line/line.sh): units, values, mean, overall sd, within-unit
# sd (each unit's values about its own mean, pooled), Ppk and Cpk.
#   Rscript capability.R VALUES RIG
# VALUES: "group unit value" lines; RIG: rig line's figures, tab-separated
# (group units values mean sd sd_within ppk cpk lsl usl, NA for none).
# Prints "N groups compared"; exits 1 on any difference.
a <- commandArgs(trailingOnly = TRUE)
d <- read.table(a[1], col.names = c("g", "unit", "x"))
r <- read.table(a[2], sep = "\t", na.strings = "NA",
		col.names = c("g", "units", "n", "mean", "sd", "sdw", "ppk", "cpk", "lsl", "usl"))
cpk <- function(m, s, lo, hi) min(c(if (!is.na(hi)) (hi - m) / (3 * s),
				    if (!is.na(lo)) (m - lo) / (3 * s)))
bad <- 0
for (i in seq_len(nrow(r))) {
	x <- d[d$g == r$g[i], ]
	w <- sqrt(sum(tapply(x$x, x$unit, function(u) sum((u - mean(u))^2))) /
		  (nrow(x) - length(unique(x$unit))))
	want <- c(length(unique(x$unit)), nrow(x), mean(x$x), sd(x$x), w,
		  cpk(mean(x$x), sd(x$x), r$lsl[i], r$usl[i]), cpk(mean(x$x), w, r$lsl[i], r$usl[i]))
	got <- c(r$units[i], r$n[i], r$mean[i], r$sd[i], r$sdw[i], r$ppk[i], r$cpk[i])
	# rig's JSON holds 10 significant digits; NA (no spread) must match NA.
	same <- ifelse(is.na(want), is.na(got),
		       !is.na(got) & abs(got - want) <= 1e-9 * abs(want) + 1e-15)
	if (!all(same)) {
		cat(r$g[i], "rig:", got, "R:", want, "\n")
		bad <- bad + 1
	}
}
cat(nrow(r), "groups compared\n")
quit(status = if (bad > 0 || nrow(r) < 1) 1 else 0)
