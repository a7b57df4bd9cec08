/** Person names for generated users, derived from the user index so nothing is stored. */
import { hash32 } from './seededRandom.js';

const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Alice',
  'Amara',
  'Ana',
  'Arjun',
  'Ben',
  'Carla',
  'Chen',
  'Chloe',
  'Dara',
  'David',
  'Diego',
  'Elena',
  'Emma',
  'Farah',
  'Felix',
  'Grace',
  'Hana',
  'Hugo',
  'Ines',
  'Ivan',
  'Jade',
  'Jonas',
  'Kai',
  'Karin',
  'Leo',
  'Lena',
  'Liam',
  'Lucia',
  'Maya',
  'Mateo',
  'Mei',
  'Nadia',
  'Noah',
  'Olga',
  'Omar',
  'Paula',
  'Priya',
  'Quinn',
  'Rafael',
  'Rosa',
  'Sam',
  'Sara',
  'Tariq',
  'Tessa',
  'Uma',
  'Victor',
  'Wen',
  'Xavier',
  'Yara',
  'Yusuf',
  'Zoe',
  "D'Arcy",
];

const LAST_NAMES = [
  'Abbott',
  'Baker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hoffmann',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Martin',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quintero',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Ueda',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Moreau',
  'Silva',
  'Novak',
  'Horvat',
  "O'Brien",
  'Van der Berg',
  'Smith, Jr.',
];

export function firstNameOf(seed: number, index: number): string {
  return FIRST_NAMES[hash32(seed, index, 101) % FIRST_NAMES.length] ?? 'Pat';
}

export function lastNameOf(seed: number, index: number): string {
  return LAST_NAMES[hash32(seed, index, 102) % LAST_NAMES.length] ?? 'Doe';
}

/** Lower-case, ASCII-only local part for usernames and email addresses. */
export function mailboxOf(seed: number, index: number): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z]/g, '');
  return `${clean(firstNameOf(seed, index))}.${clean(lastNameOf(seed, index))}.${index}`;
}
