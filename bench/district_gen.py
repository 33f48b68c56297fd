#!/usr/bin/env python3
"""Writes a generated OneRoster 1.1 district for bench/district.sh: one folder per school (manifest, orgs, academic
sessions, courses, classes, users, enrollments), streamed to disk row by row.

    district_gen.py OUT_DIR SCHOOLS PEOPLE_PER_SCHOOL CLASSES_PER_SCHOOL [--delta N]

Each school has students, one parent per student and one teacher per 25 students (people = 2.04 x students); each
student is in 6 classes; every parent and teacher and a third of the students have an email address. With --delta N
it writes OUT_DIR/delta: a delta users.csv for school 1 that renames N of its students.
"""
import argparse
import csv
import os

HEADERS = {
    "orgs.csv": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    "academicSessions.csv": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"],
    "courses.csv": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId",
                    "subjects", "subjectCodes"],
    "classes.csv": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
                    "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"],
    "users.csv": ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName",
                  "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"],
    "enrollments.csv": ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary",
                        "beginDate", "endDate"],
}


def manifest(path, mode, files):
    with open(os.path.join(path, "manifest.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["propertyName", "value"])
        w.writerow(["manifest.version", "1.0"])
        w.writerow(["oneroster.version", "1.1"])
        for name in ["academicSessions", "classes", "courses", "demographics", "enrollments", "lineItems", "orgs", "results", "users",
                     "categories", "classResources", "courseResources", "resources"]:
            w.writerow([f"file.{name}", mode if name in files else "absent"])


def school(out, n, people, classes):
    sid = f"dist-s{n:02d}"
    path = os.path.join(out, sid)
    os.makedirs(path, exist_ok=True)
    students = max(1, round(people / 2.04))
    teachers = max(1, students // 25)
    manifest(path, "bulk", {"academicSessions", "classes", "courses", "enrollments", "orgs", "users"})
    writers = {}
    handles = []
    for name, header in HEADERS.items():
        f = open(os.path.join(path, name), "w", newline="")
        handles.append(f)
        writers[name] = csv.writer(f)
        writers[name].writerow(header)
    writers["orgs.csv"].writerow(["dist", "", "", "Bench District", "district", "", ""])
    writers["orgs.csv"].writerow([sid, "", "", f"Bench School {n}", "school", f"BS{n:02d}", "dist"])
    writers["academicSessions.csv"].writerow([f"{sid}-y", "", "", "2026-2027", "schoolYear", "2026-09-01", "2027-06-30", "", "2027"])
    for c in range(20):
        writers["courses.csv"].writerow([f"{sid}-c{c}", "", "", "", f"Course {c}", f"C{c}", "10", sid, "", ""])
    for k in range(classes):
        writers["classes.csv"].writerow([f"{sid}-k{k}", "", "", f"Class {k}", "10", f"{sid}-c{k % 20}", f"K{k}", "scheduled", "", sid,
                                         f"{sid}-y", "", "", ""])
    users = writers["users.csv"]
    enrol = writers["enrollments.csv"]
    for t in range(teachers):
        u = f"{sid}-t{t}"
        users.writerow([u, "", "", "true", sid, "teacher", u, "", "Tess", f"Teacher{t}", "", "", f"{u}@bench.example", "", "", "", "", ""])
    for k in range(classes):
        enrol.writerow([f"{sid}-k{k}-t", "", "", f"{sid}-k{k}", sid, f"{sid}-t{k % teachers}", "teacher", "true", "", ""])
    for s in range(students):
        u = f"{sid}-st{s}"
        email = f"{u}@bench.example" if s % 3 == 0 else ""
        users.writerow([u, "", "", "true", sid, "student", u, "", "Sam", f"Student{s}", "", "", email, "", "", "", "10", ""])
        p = f"{sid}-p{s}"
        users.writerow([p, "", "", "true", sid, "parent", p, "", "Pat", f"Parent{s}", "", "", f"{p}@bench.example", "", "", u, "", ""])
        for j in range(6):
            k = (s * 7 + j * 31) % classes
            enrol.writerow([f"{sid}-e{s}-{j}", "", "", f"{sid}-k{k}", sid, u, "student", "false", "", ""])
    for f in handles:
        f.close()
    return students * 2 + teachers


def delta(out, changes):
    sid = "dist-s01"
    path = os.path.join(out, "delta")
    os.makedirs(path, exist_ok=True)
    manifest(path, "delta", {"users"})
    with open(os.path.join(path, "users.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS["users.csv"])
        for s in range(changes):
            u = f"{sid}-st{s}"
            email = f"{u}@bench.example" if s % 3 == 0 else ""
            w.writerow([u, "active", "2026-11-01T08:00:00Z", "true", sid, "student", u, "", "Samuel", f"Student{s}", "", "", email, "", "",
                        "", "11", ""])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("schools", type=int)
    parser.add_argument("people", type=int)
    parser.add_argument("classes", type=int)
    parser.add_argument("--delta", type=int, default=0)
    args = parser.parse_args()
    total = sum(school(args.out, n, args.people, args.classes) for n in range(1, args.schools + 1))
    if args.delta:
        delta(args.out, args.delta)
    print(total)


if __name__ == "__main__":
    main()
